// The one place that includes libopendkim's C header into C++. dkim.h
// (2.11.0~beta2) uses C99's _Bool in prototypes, which C++ spells bool; the
// two have the same size and ABI on every platform g++ targets.
#pragma once

#define _Bool bool
#include <opendkim/dkim.h>
#undef _Bool
