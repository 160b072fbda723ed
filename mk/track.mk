# mk/track.mk — tracking server, opt-outs, feedback import, template
# formatting and preview (issue 13).  Included from the Makefile.
#
#   libmicrohttpd  camp track's HTTP server
#   libsodium      HMAC-SHA-256 of tracking tokens, base64url
#   libgumbo       HTML5 parsing: links to rewrite, HTML to text
#   libicu         number, currency, percent and date formatting by locale
DEB_PKGS += libmicrohttpd-dev libsodium-dev libgumbo-dev libicu-dev
# Test-only: the load test of camp track (ab) and curl for single requests.
DEB_TEST_PKGS += apache2-utils curl
LIBS += -lmicrohttpd -lsodium -lgumbo -licui18n -licuuc -licudata -lpthread

# render.o formats filtered placeholders with these (the unit test links $^).
$(BUILD)/tests/render_test: $(BUILD)/lang/tmpl.o $(BUILD)/runtime/delivery/tmpl_format.o

$(BUILD)/tests/track_test: tests/unit/track_test.c $(BUILD)/runtime/delivery/track_token.o \
                           $(BUILD)/runtime/delivery/track_links.o \
                           $(BUILD)/runtime/delivery/track_request.o $(BUILD)/runtime/delivery/reply.o
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -o $@ $^ $(LIBS) $(LDFLAGS)

test-bins: $(BUILD)/tests/track_test
