/* jit_load.c — loads the relocatable object libgccjit wrote into fresh
 * executable pages (jit_obj_load), so a compile needs no link step and
 * no dlopen.  x86-64 only; elsewhere it declines and jit.c links a shared
 * library instead. */
#include "compiler/jit/jit.h"

#if CAMP_JIT
#include <assert.h>
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <libgccjit.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "compiler/jit/jit_int.h"

/* ------------------------------------------------------ object loader */

/* Loads an ELF64 x86-64 relocatable object as libgccjit writes it (PIC
 * code: .text, .rodata, perhaps .data/.bss, RELA relocations) into fresh
 * pages and returns the address of camp_rules, or NULL with why.  This
 * replaces linking a shared library (the gcc driver + ld cost ~8 ms per
 * compile here) and dlopen.  Anything unexpected (TLS, constructors, an
 * unknown relocation) is refused and the caller links a library instead.
 * Symbols the object does not define are looked up in the process
 * (dlsym), reached through stubs / GOT slots placed next to the code. */
#if defined(__x86_64__)

static int fits32(int64_t v) { return v >= INT32_MIN && v <= INT32_MAX; }

void *jit_obj_load(const char *path, ObjMap *m, char *why, size_t whylen) {
  void *fn = NULL;
  unsigned char *f = NULL;
  Elf64_Addr *secaddr = NULL, *symaddr = NULL, *stub = NULL, *got = NULL;
  m->base = NULL, m->len = 0;
  FILE *fp = fopen(path, "rb");
  long flen = -1;
  if (fp && fseek(fp, 0, SEEK_END) == 0) flen = ftell(fp);
  if (flen < (long)sizeof(Elf64_Ehdr) || fseek(fp, 0, SEEK_SET) || !(f = malloc((size_t)flen)) ||
      fread(f, 1, (size_t)flen, fp) != (size_t)flen) {
    snprintf(why, whylen, "cannot read %s", path);
    goto out;
  }
  size_t len = (size_t)flen;
  const Elf64_Ehdr *eh = (const Elf64_Ehdr *)f;
  if (memcmp(eh->e_ident, ELFMAG, SELFMAG) || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
      eh->e_ident[EI_DATA] != ELFDATA2LSB || eh->e_type != ET_REL || eh->e_machine != EM_X86_64 ||
      eh->e_shentsize != sizeof(Elf64_Shdr) || eh->e_shoff > len ||
      eh->e_shnum > (len - eh->e_shoff) / sizeof(Elf64_Shdr)) {
    snprintf(why, whylen, "not an x86-64 relocatable object");
    goto out;
  }
  const Elf64_Shdr *sh = (const Elf64_Shdr *)(f + eh->e_shoff);
  int nsh = eh->e_shnum, symsec = -1;
  for (int i = 0; i < nsh; i++) {
    if (sh[i].sh_type != SHT_NOBITS && (sh[i].sh_offset > len || sh[i].sh_size > len - sh[i].sh_offset)) {
      snprintf(why, whylen, "section %d out of the file", i);
      goto out;
    }
    if (sh[i].sh_type == SHT_SYMTAB) symsec = i;
    if (sh[i].sh_type == SHT_REL || sh[i].sh_type == SHT_INIT_ARRAY || sh[i].sh_type == SHT_FINI_ARRAY ||
        sh[i].sh_type == SHT_PREINIT_ARRAY || (sh[i].sh_flags & SHF_TLS) ||
        ((sh[i].sh_flags & SHF_ALLOC) && sh[i].sh_addralign > 4096)) {
      snprintf(why, whylen, "section %d of a kind not loaded here", i);
      goto out;
    }
  }
  if (symsec < 0 || sh[symsec].sh_entsize != sizeof(Elf64_Sym) || sh[symsec].sh_link >= (Elf64_Word)nsh) {
    snprintf(why, whylen, "no symbol table");
    goto out;
  }
  const Elf64_Sym *sym = (const Elf64_Sym *)(f + sh[symsec].sh_offset);
  size_t nsym = sh[symsec].sh_size / sizeof(Elf64_Sym);
  const char *str = (const char *)f + sh[sh[symsec].sh_link].sh_offset;
  size_t strsz = sh[sh[symsec].sh_link].sh_size;
  /* layout: [code + stubs] [read-only + GOT] [writable], page-aligned */
  size_t pg = (size_t)sysconf(_SC_PAGESIZE), sz[3] = {0, 0, 0};
  secaddr = calloc((size_t)nsh + 1, sizeof *secaddr);
  symaddr = calloc(nsym + 1, sizeof *symaddr);
  stub = calloc(nsym + 1, sizeof *stub);
  got = calloc(nsym + 1, sizeof *got);
  if (!secaddr || !symaddr || !stub || !got) abort();
  int *grp = calloc((size_t)nsh + 1, sizeof *grp);
  if (!grp) abort();
  for (int i = 0; i < nsh; i++) {
    if (!(sh[i].sh_flags & SHF_ALLOC)) continue;
    int g = (sh[i].sh_flags & SHF_EXECINSTR) ? 0 : (sh[i].sh_flags & SHF_WRITE) ? 2 : 1;
    size_t a = sh[i].sh_addralign ? sh[i].sh_addralign : 1;
    sz[g] = (sz[g] + a - 1) / a * a;
    grp[i] = g;
    secaddr[i] = sz[g]; /* offset in its group for now */
    sz[g] += sh[i].sh_size;
  }
  size_t stub_at = (sz[0] + 15) / 16 * 16, got_at = (sz[1] + 7) / 8 * 8;
  sz[0] = stub_at + 16 * nsym, sz[1] = got_at + 8 * nsym;
  size_t off[3];
  off[0] = 0;
  off[1] = (sz[0] + pg - 1) / pg * pg;
  off[2] = off[1] + (sz[1] + pg - 1) / pg * pg;
  m->len = off[2] + (sz[2] + pg - 1) / pg * pg;
  void *base = mmap(NULL, m->len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (base == MAP_FAILED) {
    free(grp);
    snprintf(why, whylen, "mmap: %s", strerror(errno));
    goto out;
  }
  m->base = base;
  unsigned char *b = base;
  for (int i = 0; i < nsh; i++) {
    if (!(sh[i].sh_flags & SHF_ALLOC)) continue;
    secaddr[i] += (Elf64_Addr)(uintptr_t)(b + off[grp[i]]);
    if (sh[i].sh_type != SHT_NOBITS) memcpy((void *)(uintptr_t)secaddr[i], f + sh[i].sh_offset, sh[i].sh_size);
  }
  free(grp);
  for (size_t i = 1; i < nsym; i++) {
    const Elf64_Sym *y = &sym[i];
    if (y->st_name >= strsz) {
      snprintf(why, whylen, "bad symbol name");
      goto out;
    }
    if (y->st_shndx == SHN_UNDEF) {
      void *a = dlsym(RTLD_DEFAULT, str + y->st_name);
      if (!a && ELF64_ST_BIND(y->st_info) != STB_WEAK) {
        snprintf(why, whylen, "undefined symbol %s", str + y->st_name);
        goto out;
      }
      symaddr[i] = (Elf64_Addr)(uintptr_t)a;
      /* a stub (jmp *0(%rip); .quad a) and a GOT slot for it */
      unsigned char *st = b + stub_at + 16 * i;
      st[0] = 0xff, st[1] = 0x25, st[2] = st[3] = st[4] = st[5] = 0;
      memcpy(st + 6, &symaddr[i], 8);
      stub[i] = (Elf64_Addr)(uintptr_t)st;
      memcpy(b + off[1] + got_at + 8 * i, &symaddr[i], 8);
      got[i] = (Elf64_Addr)(uintptr_t)(b + off[1] + got_at + 8 * i);
    } else if (y->st_shndx == SHN_ABS) {
      symaddr[i] = y->st_value;
    } else if (y->st_shndx < nsh && (sh[y->st_shndx].sh_flags & SHF_ALLOC)) {
      symaddr[i] = secaddr[y->st_shndx] + y->st_value;
    } else if (y->st_shndx >= SHN_LORESERVE) {
      snprintf(why, whylen, "symbol %s in a special section", str + y->st_name);
      goto out;
    } /* else: a symbol of a section not loaded (debug info): never relocated against */
  }
  for (int r = 0; r < nsh; r++) {
    if (sh[r].sh_type != SHT_RELA || sh[r].sh_info >= (Elf64_Word)nsh) continue;
    int t = (int)sh[r].sh_info;
    if (!(sh[t].sh_flags & SHF_ALLOC)) continue; /* relocations of debug sections */
    if (sh[r].sh_link != (Elf64_Word)symsec || sh[r].sh_entsize != sizeof(Elf64_Rela)) {
      snprintf(why, whylen, "bad relocation section");
      goto out;
    }
    const Elf64_Rela *ra = (const Elf64_Rela *)(f + sh[r].sh_offset);
    size_t nr = sh[r].sh_size / sizeof(Elf64_Rela);
    for (size_t k = 0; k < nr; k++) {
      size_t si = ELF64_R_SYM(ra[k].r_info);
      unsigned type = ELF64_R_TYPE(ra[k].r_info);
      if (si >= nsym || ra[k].r_offset > sh[t].sh_size || sh[t].sh_size - ra[k].r_offset < 4 ||
          (si && sym[si].st_shndx != SHN_UNDEF && sym[si].st_shndx != SHN_ABS &&
           (sym[si].st_shndx >= nsh || !(sh[sym[si].st_shndx].sh_flags & SHF_ALLOC)))) {
        snprintf(why, whylen, "bad relocation");
        goto out;
      }
      unsigned char *P = (unsigned char *)(uintptr_t)(secaddr[t] + ra[k].r_offset);
      int64_t S = (int64_t)symaddr[si], A = ra[k].r_addend, Pa = (int64_t)(uintptr_t)P, v;
      int32_t v32;
      int ext = si && sym[si].st_shndx == SHN_UNDEF;
      switch (type) {
        case R_X86_64_NONE: break;
        case R_X86_64_64:
          if (sh[t].sh_size - ra[k].r_offset < 8) goto bad;
          v = S + A;
          memcpy(P, &v, 8);
          break;
        case R_X86_64_PC64:
          if (sh[t].sh_size - ra[k].r_offset < 8) goto bad;
          v = S + A - Pa;
          memcpy(P, &v, 8);
          break;
        case R_X86_64_PC32: case R_X86_64_PLT32:
          v = S + A - Pa;
          if (!fits32(v) && ext) v = (int64_t)stub[si] + A - Pa;
          if (!fits32(v)) goto bad;
          v32 = (int32_t)v;
          memcpy(P, &v32, 4);
          break;
        case R_X86_64_GOTPCREL: case R_X86_64_GOTPCRELX: case R_X86_64_REX_GOTPCRELX:
          if (!ext) goto bad;
          v = (int64_t)got[si] + A - Pa;
          if (!fits32(v)) goto bad;
          v32 = (int32_t)v;
          memcpy(P, &v32, 4);
          break;
        default:
        bad:
          snprintf(why, whylen, "relocation type %u not handled", type);
          goto out;
      }
    }
  }
  for (size_t i = 1; i < nsym && !fn; i++)
    if (sym[i].st_shndx != SHN_UNDEF && sym[i].st_shndx < nsh && ELF64_ST_BIND(sym[i].st_info) == STB_GLOBAL &&
        sym[i].st_name < strsz && !strcmp(str + sym[i].st_name, "camp_rules"))
      fn = (void *)(uintptr_t)symaddr[i];
  if (!fn) {
    snprintf(why, whylen, "camp_rules missing");
    goto out;
  }
  if (mprotect(b, off[1], PROT_READ | PROT_EXEC) ||
      (off[2] > off[1] && mprotect(b + off[1], off[2] - off[1], PROT_READ))) {
    snprintf(why, whylen, "mprotect: %s", strerror(errno));
    fn = NULL;
  }
out:
  if (!fn && m->base) munmap(m->base, m->len), m->base = NULL;
  if (fp) fclose(fp);
  free(f), free(secaddr), free(symaddr), free(stub), free(got);
  return fn;
}
#else
void *jit_obj_load(const char *path, ObjMap *m, char *why, size_t whylen) {
  (void)path;
  m->base = NULL, m->len = 0;
  snprintf(why, whylen, "objects are loaded on x86-64 only");
  return NULL;
}
#endif
#endif
