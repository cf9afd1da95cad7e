noinst_LIBRARIES += libui.a
libui_a_SOURCES = ui/ui.h ui/screen.c
