/*
 * recorded_path.h - the form in which a place on the ingesting machine is
 * recorded in an archive: relative to what the user named, never absolute
 * (an archive is published; /home/<user>/leaks/<source>/ names a
 * journalist and maybe a source).  source.c records new paths so; this
 * module turns the absolute paths of archives made before into that form
 * (store.c's migration 10).  Pure functions, no I/O, thread-safe.
 */
#ifndef MT_RECORDED_PATH_H
#define MT_RECORDED_PATH_H

#include <stddef.h>

#include "status.h"

/*
 * For PATHS (COUNT distinct strings, sorted with strcmp), the recorded
 * form of each into OUT[i] (malloc'd; the caller frees each), or NULL in
 * OUT[i] when PATHS[i] needs no change.  The argument each path was found
 * under is not known any more, so: paths are grouped by their first two
 * components ("/home/alice"); within a group the deepest directory common
 * to all is cut off, except its own name when it lies three or more
 * levels down ("/home/alice/leaks/a.mbox" becomes "leaks/a.mbox"; a group
 * "/mnt/usb" loses it all).  A relative path loses its leading "./" and
 * "../".  Returns MT_OK or MT_ENOMEM (OUT then holds nothing to free).
 */
mt_status recorded_path_relativize(const char *const *paths, size_t count, char **out);

/* The last component of PATH (a key file named without --source), as a
 * pointer into PATH. */
const char *recorded_path_file_name(const char *path);

#endif
