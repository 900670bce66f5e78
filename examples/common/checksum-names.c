/* checksum-names.c: file names written as GNU sha256sum writes them
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Two forms. In a checksum line a name with a backslash, newline or
 * carriage return is escaped (and the line starts with a backslash), so
 * that every line stays one line. In a diagnostic on standard error a name
 * is quoted the way coreutils' quotef() does, so that it can be pasted
 * into a shell; this covers the cases sha256sum users meet (spaces,
 * shell metacharacters, colons, apostrophes, control characters).
 */

#include <string.h>

#include "checksum-names.h"

gboolean
checksum_name_needs_escape (const char *name)
{
  return strpbrk (name, "\\\n\r") != NULL;
}

void
checksum_name_print (FILE       *out,
                     const char *name,
                     gboolean    escape)
{
  if (!escape)
    {
      fputs (name, out);
      return;
    }
  for (const char *p = name; *p != '\0'; p++)
    {
      if (*p == '\\')
        fputs ("\\\\", out);
      else if (*p == '\n')
        fputs ("\\n", out);
      else if (*p == '\r')
        fputs ("\\r", out);
      else
        fputc (*p, out);
    }
}

/* Characters that make a name need quotes anywhere in it; '#' and '~'
 * only at its start. */
static gboolean
needs_quotes (const char *name)
{
  if (name[0] == '\0' || name[0] == '#' || name[0] == '~')
    return TRUE;
  for (const char *p = name; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      if (c < 0x20 || c == 0x7f || strchr (" !\"$&'()*:;<=>?[\\^`|", c) != NULL)
        return TRUE;
    }
  return FALSE;
}

/* Double quotes do when the only special character is an apostrophe and
 * nothing in the name is special inside double quotes. */
static gboolean
fits_double_quotes (const char *name)
{
  if (strchr (name, '\'') == NULL)
    return FALSE;
  for (const char *p = name; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      if (c < 0x20 || c == 0x7f || strchr ("\"$`\\!", c) != NULL)
        return FALSE;
    }
  return TRUE;
}

static void
append_control (GString *out,
                guchar   c)
{
  const char *named = strchr ("\a\b\f\n\r\t\v", c);

  if (c != '\0' && named != NULL)
    g_string_append_printf (out, "'$'\\%c''", "abfnrtv"[named - "\a\b\f\n\r\t\v"]);
  else
    g_string_append_printf (out, "'$'\\%03o''", c);
}

char *
checksum_name_quote (const char *name)
{
  GString *out;

  if (!needs_quotes (name))
    return g_strdup (name);
  if (fits_double_quotes (name))
    return g_strdup_printf ("\"%s\"", name);

  out = g_string_new ("'");
  for (const char *p = name; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      if (c == '\'')
        g_string_append (out, "'\\''");
      else if (c < 0x20 || c == 0x7f)
        append_control (out, c);
      else
        g_string_append_c (out, c);
    }
  g_string_append_c (out, '\'');
  /* A name ending in a control character ends with "''": drop it. */
  if (g_str_has_suffix (out->str, "'''") && out->len > 3)
    g_string_truncate (out, out->len - 2);
  return g_string_free (out, FALSE);
}
