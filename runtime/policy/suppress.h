/* suppress.h — manual entries of the suppression list (`camp suppress`):
 * camp_suppression rows with reason 'manual' (or the reason given) and
 * source 'camp suppress'; addresses normalized as the runtime compares
 * them (store_track_norm_address).  The policy (policy.h) then keeps
 * messages to them from being sent on that channel. */
#ifndef CAMP_POLICY_SUPPRESS_H
#define CAMP_POLICY_SUPPRESS_H

#include <stdio.h>

#include "runtime/db/db.h"

/* Adds (or, for an address already listed, keeps) each address, in one
 * transaction.  Returns how many were new, or -1 with err. */
int suppress_add(Db *db, const char *channel, const char *const *addresses, int n, const char *reason,
                 const char *now, char *err, size_t errlen);
/* Removes each address of the channel (any reason), in one transaction.
 * Returns how many were removed, or -1 with err. */
int suppress_remove(Db *db, const char *channel, const char *const *addresses, int n, char *err,
                    size_t errlen);
/* Prints `channel address reason at source` lines (csv: a header and
 * RFC 4180 rows), of one channel or all (NULL).  Returns the count, or -1. */
int suppress_list(Db *db, const char *channel, int csv, FILE *out, char *err, size_t errlen);

#endif
