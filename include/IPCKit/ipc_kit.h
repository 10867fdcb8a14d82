/*
 * IPC Kit umbrella header (OpenHarmony API 12): includes every IPC Kit C header.
 * Library: libipc_capi.so.
 */
#ifndef CAPI_INCLUDE_IPC_KIT_H
#define CAPI_INCLUDE_IPC_KIT_H

#include "ipc_error_code.h"
#include "ipc_cparcel.h"
#include "ipc_cremote_object.h"
#include "ipc_cskeleton.h"

#endif /* CAPI_INCLUDE_IPC_KIT_H */
