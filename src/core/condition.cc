// Placeholder: the conditions helper replaces this file.
#include "core/condition.h"
