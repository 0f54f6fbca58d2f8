/* The package-manager modules the package module hands its task to. */
#ifndef DROVER_MODULES_PKGMGR_H
#define DROVER_MODULES_PKGMGR_H

#include "data/value.h"
#include "modules/module.h"

struct value *apt_run_module(const struct module_ctx *ctx);
struct value *dnf_run_module(const struct module_ctx *ctx);

#endif
