/* screen.c — terminal set-up and the main loop of the screens. */
#include "ui/ui.h"
