build/obj/src/base/diag.o: src/base/diag.c src/base/diag.h \
 src/base/xmalloc.h
src/base/diag.h:
src/base/xmalloc.h:
