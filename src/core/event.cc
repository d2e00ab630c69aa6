// Placeholder: the events helper replaces this file.
#include "core/event.h"
