/* The public C header, as the trigger_c fuzz target sees it. The standard headers come first so that the
 * fuzz build does not depend on which of them deployhook.h includes itself. */
#include <stddef.h>
#include <stdint.h>
#include "../../../include/deployhook.h"
