build/obj/src/data/value.o: src/data/value.c src/data/value.h \
 src/base/err.h src/base/xmalloc.h
src/data/value.h:
src/base/err.h:
src/base/xmalloc.h:
