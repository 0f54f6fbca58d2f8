/* The version of drover and its worker; both must be built from one tree. */
#ifndef DROVER_BASE_VERSION_H
#define DROVER_BASE_VERSION_H

#define DROVER_VERSION "0.1.0"

#endif
