#!/bin/bash -eu
# ClusterFuzzLite: the same build as OSS-Fuzz's (oss-fuzz/build.sh), which
# honours $CC $CFLAGS $CXX $CXXFLAGS $LIB_FUZZING_ENGINE $SRC $WORK $OUT.
exec "$SRC/ringtorture/oss-fuzz/build.sh"
