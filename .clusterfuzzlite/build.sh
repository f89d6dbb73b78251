#!/bin/bash -eu
# ClusterFuzzLite: the same build as OSS-Fuzz's (oss-fuzz/build.sh), which
# honours $CC $CFLAGS $CXX $CXXFLAGS $LIB_FUZZING_ENGINE $SRC $WORK $OUT and
# takes the targets from fuzz/registry.txt; their seed zips hold the text
# seeds of corpora/ compiled to bytes by a host build of uprb-script.
exec "$SRC/ringtorture/oss-fuzz/build.sh"
