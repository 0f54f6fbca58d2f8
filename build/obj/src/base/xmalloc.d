build/obj/src/base/xmalloc.o: src/base/xmalloc.c src/base/xmalloc.h
src/base/xmalloc.h:
