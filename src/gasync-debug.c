/* gasync-debug.c: future names, GASYNC_DEBUG=pending and =stalls
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Everything here lives in side tables keyed by instance pointer, so that
 * the hot objects stay the size they are: a name costs a hash entry only
 * for a future that has one, and the pending registry exists only when
 * GASYNC_DEBUG contains "pending". The stall watchdog keeps no state at
 * all: its callers time the user code they run and report here.
 */

#define _GNU_SOURCE
#include "config.h"

#include <dlfcn.h>
#include <execinfo.h>
#include <link.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gasync-debug-private.h"
#include "gasync-tsan-private.h"

#define SITE_FRAMES 16
#define DEFAULT_STALL_MSEC 50

gboolean _gasync_debug_pending = FALSE;
gboolean _gasync_debug_stalls = FALSE;
gint     _gasync_debug_channel_waiters[2];

static guint stall_msec = DEFAULT_STALL_MSEC;   /* written once, before _gasync_debug_stalls */

static GAsyncDebugIsPendingFunc debug_is_pending;

static GMutex      names_lock;
static GHashTable *names;          /* protected by names_lock: instance → interned name */
static GType       namer_type;     /* written once, before any instance of it exists */
static GAsyncDebugNameFunc namer_func;

typedef struct
{
  gint64   created;                /* g_get_monotonic_time() */
  gpointer constructor;            /* where the instance init returns to */
  gint     n_frames;
  gpointer frames[SITE_FRAMES];
} PendingEntry;

static GMutex      pending_lock;
static GHashTable *pending;        /* protected by pending_lock: instance → PendingEntry */

static void
debug_atexit (void)
{
  _gasync_debug_pending_report ("exit");
}

/* Splits "stalls:MSEC" off @flags (a copy): g_parse_debug_string()
 * knows only bare keys, and would read the colon as a separator. */
static char *
debug_take_stall_msec (const char *flags)
{
  g_auto(GStrv) tokens = g_strsplit_set (flags, ",; \t", -1);

  for (guint i = 0; tokens[i] != NULL; i++)
    {
      char *colon = strchr (tokens[i], ':');
      guint64 msec;

      if (colon == NULL || strncmp (tokens[i], "stalls", colon - tokens[i]) != 0)
        continue;
      if (g_ascii_string_to_unsigned (colon + 1, 10, 0, G_MAXUINT / 1000, &msec, NULL))
        stall_msec = (guint) msec;
      else
        fprintf (stderr, "gasync: GASYNC_DEBUG: \"%s\" is not stalls:MSEC; using %u ms\n",
                 tokens[i], stall_msec);
      *colon = '\0';
    }
  return g_strjoinv (",", tokens);
}

static void
debug_parse_env (void)
{
  static const GDebugKey keys[] = {
    { "pending", 1 << 0 },
    { "stalls", 1 << 1 },
  };
  g_autofree char *flags = NULL;
  guint bits;

  if (g_getenv ("GASYNC_DEBUG") == NULL)
    return;
  flags = debug_take_stall_msec (g_getenv ("GASYNC_DEBUG"));
  bits = g_parse_debug_string (flags, keys, G_N_ELEMENTS (keys));

  if (bits & (1 << 0))
    {
      pending = g_hash_table_new_full (NULL, NULL, NULL, g_free);
      _gasync_debug_pending = TRUE;
      atexit (debug_atexit);
    }
  if (bits & (1 << 1))
    _gasync_debug_stalls = TRUE;
}

void
_gasync_debug_ensure_init (void)
{
  static gsize parsed = 0;

  if (g_once_init_enter (&parsed))
    {
      debug_parse_env ();
      g_once_init_leave (&parsed, 1);
    }
}

void
_gasync_debug_init (GAsyncDebugIsPendingFunc is_pending)
{
  debug_is_pending = is_pending;
  _gasync_debug_ensure_init ();
}

/* Names */

void
_gasync_debug_set_name (gpointer    instance,
                        const char *name)
{
  const char *pinned = g_intern_string (name);

  gasync_mutex_lock (&names_lock);
  if (names == NULL)
    names = g_hash_table_new (NULL, NULL);
  if (pinned != NULL)
    g_hash_table_insert (names, instance, (gpointer) pinned);
  else
    g_hash_table_remove (names, instance);
  gasync_mutex_unlock (&names_lock);
}

const char *
_gasync_debug_lookup_name (gpointer instance)
{
  const char *name = NULL;

  gasync_mutex_lock (&names_lock);
  if (names != NULL)
    name = g_hash_table_lookup (names, instance);
  gasync_mutex_unlock (&names_lock);

  return name;
}

void
_gasync_debug_forget (gpointer instance)
{
  gasync_mutex_lock (&names_lock);
  if (names != NULL)
    g_hash_table_remove (names, instance);
  gasync_mutex_unlock (&names_lock);

  if (_gasync_debug_pending)
    {
      gasync_mutex_lock (&pending_lock);
      g_hash_table_remove (pending, instance);
      gasync_mutex_unlock (&pending_lock);
    }
}

void
_gasync_debug_set_default_namer (GType               type,
                                 GAsyncDebugNameFunc func)
{
  namer_func = func;
  namer_type = type;
}

const char *
_gasync_debug_default_name (gpointer instance)
{
  if (namer_func != NULL && G_TYPE_CHECK_INSTANCE_TYPE (instance, namer_type))
    return namer_func (instance);
  return NULL;
}

/* The symbol that contains @addr, if the dynamic symbol table has one
 * whose extent covers it (a hidden function has none: dladdr() would
 * answer with whatever exported symbol precedes it). */
static const char *
symbol_at (gpointer  addr,
           Dl_info  *info)
{
  const ElfW(Sym) *sym = NULL;

  if (dladdr1 (addr, info, (void **) &sym, RTLD_DL_SYMENT) == 0)
    {
      memset (info, 0, sizeof *info);
      return NULL;
    }
  if (info->dli_sname == NULL || sym == NULL)
    return NULL;
  if (sym->st_size != 0 &&
      (guintptr) addr >= (guintptr) info->dli_saddr + sym->st_size)
    return NULL;
  return info->dli_sname;
}

/* The pinned symbol that starts at @func, or NULL. */
static const char *
function_symbol (gpointer func)
{
  Dl_info info;
  const char *symbol = symbol_at (func, &info);

  if (symbol != NULL && info.dli_saddr == func)
    return g_intern_string (symbol);
  return NULL;
}

const char *
_gasync_debug_function_name (gpointer func)
{
  const char *symbol = function_symbol (func);
  char *tmp;
  const char *pinned;

  if (symbol != NULL)
    return symbol;

  tmp = g_strdup_printf ("task %p", func);
  pinned = g_intern_string (tmp);
  g_free (tmp);
  return pinned;
}

/* The pending registry */

void
_gasync_debug_pending_register (gpointer instance,
                                gpointer constructor)
{
  PendingEntry *entry = g_new (PendingEntry, 1);

  entry->created = g_get_monotonic_time ();
  entry->constructor = constructor;
  entry->n_frames = backtrace (entry->frames, SITE_FRAMES);

  gasync_mutex_lock (&pending_lock);
  g_hash_table_insert (pending, instance, entry);
  gasync_mutex_unlock (&pending_lock);
}

/* A frame inside GLib, GObject or gasync itself is not a creation site. */
static gboolean
frame_is_library (const Dl_info *info,
                  const char    *symbol)
{
  const char *base;

  if (symbol != NULL &&
      (g_str_has_prefix (symbol, "gasync_") || g_str_has_prefix (symbol, "_gasync_") ||
       g_str_has_prefix (symbol, "g_")))
    return TRUE;
  if (info->dli_fname == NULL)
    return FALSE;
  base = strrchr (info->dli_fname, '/');
  base = base != NULL ? base + 1 : info->dli_fname;
  return g_str_has_prefix (base, "libglib-") || g_str_has_prefix (base, "libgobject-") ||
         g_str_has_prefix (base, "libgasync-");
}

/* The first frame outside the libraries, as "symbol+0xoff (file)", or the
 * bare address when no symbol covers it. The frames up to the one the
 * instance init returned to are the registry's own (and a sanitizer's
 * interceptor of backtrace()), whose functions may be hidden. */
static char *
describe_site (const PendingEntry *entry)
{
  gint first = 0;

  for (gint i = 0; i < entry->n_frames; i++)
    if (entry->frames[i] == entry->constructor)
      first = i + 1;

  for (gint i = first; i < entry->n_frames; i++)
    {
      Dl_info info;
      const char *symbol = symbol_at (entry->frames[i], &info);

      if (frame_is_library (&info, symbol))
        continue;
      if (symbol != NULL)
        return g_strdup_printf ("%s+0x%" G_GSIZE_MODIFIER "x (%s)", symbol,
                                (gsize) ((guintptr) entry->frames[i] - (guintptr) info.dli_saddr),
                                info.dli_fname);
      if (info.dli_fname != NULL)
        return g_strdup_printf ("%s+0x%" G_GSIZE_MODIFIER "x", info.dli_fname,
                                (gsize) ((guintptr) entry->frames[i] - (guintptr) info.dli_fbase));
      return g_strdup_printf ("%p", entry->frames[i]);
    }
  return g_strdup ("(unknown)");
}

static const char *
instance_label (gpointer instance)
{
  const char *name = _gasync_debug_lookup_name (instance);

  if (name == NULL)
    name = _gasync_debug_default_name (instance);
  if (name == NULL)
    name = G_OBJECT_TYPE_NAME (instance);
  return name;
}

void
_gasync_debug_pending_report (const char *when)
{
  GString *out;
  GHashTableIter iter;
  gpointer instance, value;
  gint64 now = g_get_monotonic_time ();
  guint n = 0;

  if (!_gasync_debug_pending)
    return;

  out = g_string_new (NULL);
  /* Held while the instances are read: their finalize waits for it. */
  gasync_mutex_lock (&pending_lock);
  g_hash_table_iter_init (&iter, pending);
  while (g_hash_table_iter_next (&iter, &instance, &value))
    {
      PendingEntry *entry = value;
      char *site;

      if (!debug_is_pending (instance))
        continue;
      site = describe_site (entry);
      g_string_append_printf (out, "gasync:   %s (%p) pending for %" G_GINT64_FORMAT " ms, created at %s\n",
                              instance_label (instance), instance,
                              (now - entry->created) / 1000, site);
      g_free (site);
      n++;
    }
  gasync_mutex_unlock (&pending_lock);

  fprintf (stderr, "gasync: GASYNC_DEBUG=pending: %u future%s pending at %s\n%s",
           n, n == 1 ? "" : "s", when, out->str);
  fflush (stderr);
  g_string_free (out, TRUE);
}

/* GASYNC_DEBUG=stalls */

/* "name" (or "0x…") of the calling thread, with its kernel thread id. */
static char *
describe_thread (void)
{
  char name[32] = "";

  pthread_getname_np (pthread_self (), name, sizeof name);
  return g_strdup_printf ("\"%s\" %d", name, (int) gettid ());
}

void
_gasync_debug_stall_check (gint64        start,
                           const char   *kind,
                           gpointer      instance,
                           gpointer      func,
                           GMainContext *context)
{
  gint64 elapsed = g_get_monotonic_time () - start;
  const char *name = NULL;
  char *thread, *address = NULL;

  if (elapsed <= (gint64) stall_msec * 1000)
    return;

  if (instance != NULL)
    {
      name = _gasync_debug_lookup_name (instance);
      if (name == NULL)
        name = _gasync_debug_default_name (instance);
    }
  if (name == NULL)
    name = function_symbol (func);
  if (name == NULL)
    name = address = g_strdup_printf ("%p", func);
  if (context == NULL)
    context = g_main_context_default ();

  thread = describe_thread ();
  fprintf (stderr, "gasync: GASYNC_DEBUG=stalls: %s %s ran %" G_GINT64_FORMAT " ms "
           "(limit %u ms) on GMainContext %p%s, thread %s\n",
           kind, name, elapsed / 1000, stall_msec, (gpointer) context,
           context == g_main_context_default () ? " (the default)" : "", thread);
  fflush (stderr);
  g_free (thread);
  g_free (address);
}
