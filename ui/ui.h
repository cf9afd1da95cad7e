/*
 * ui.h — the ncurses screens: folders, index, pager, compose, certificates.
 * The only layer that draws.
 */
#ifndef CACHET_UI_H
#define CACHET_UI_H

#include "base/base.h"

#endif
