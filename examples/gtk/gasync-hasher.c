/* gasync-hasher.c: a GTK 4 window that hashes a folder without freezing
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * "Hash" starts workers on gasync's blocking pool (gasync_spawn_blocking)
 * that SHA-256 every file under the chosen folder and stream their results
 * over a bounded channel attached to the GTK main context: the progress
 * bar and the live count are updated on the main thread, in batches, while
 * the window keeps responding. "Cancel" cancels the workers' futures, which
 * cancels the GCancellable each worker checks between blocks.
 *
 * For tests and demos it can drive itself:
 *   --folder=PATH            the folder (default: /usr/share/doc)
 *   --start                  start hashing at once
 *   --screenshot=FILE        save a PNG of the window …
 *   --screenshot-after=N     … once N files are done (default 1)
 *   --cancel-after=N         press Cancel once N files are done
 *   --quit-when-done         quit when the workers have stopped
 *   --slow-summary-ms=MS     make the summary take MS ms: a freeze that
 *                            GASYNC_DEBUG=stalls reports by the name of
 *                            its future, "hasher-summary"
 *
 * Its futures are named (gasync_future_set_name): the workers
 * "hash-worker", the summary "hasher-summary". Run it with
 * GASYNC_DEBUG=pending,stalls to see what is pending at exit and which
 * callback held the main loop for more than 50 ms.
 */

#include <stdio.h>

#include <gtk/gtk.h>

#include "../common/hash-job.h"

typedef struct
{
  GtkApplication *app;
  GtkWindow      *window;
  GtkLabel       *folder_label;
  GtkButton      *choose_button;
  GtkButton      *start_button;
  GtkButton      *cancel_button;
  GtkProgressBar *progress;
  GtkLabel       *count_label;
  GtkLabel       *status_label;

  char           *folder;
  HashJob        *job;
  guint           n_done;
  guint           n_failed;
  guint64         bytes;
  gint64          started;
  gint64          last_tick;
  gint64          max_stall;
  guint           tick_id;

  /* Self-driving options */
  gboolean        start_now;
  char           *screenshot;
  gint            screenshot_after;
  gint            cancel_after;
  gboolean        quit_when_done;
  gint            slow_summary_ms;
  gboolean        screenshot_scheduled;
  gboolean        screenshot_taken;
  gboolean        workers_stopped;
} Hasher;

static void
maybe_quit (Hasher *self)
{
  /* Quit once the workers stopped and any requested screenshot exists. */
  if (self->quit_when_done && self->workers_stopped &&
      (self->screenshot == NULL || self->screenshot_taken))
    g_application_quit (G_APPLICATION (self->app));
}

static gboolean
save_screenshot (Hasher *self)
{
  GtkWidget *widget = GTK_WIDGET (self->window);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  GtkSnapshot *snapshot;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GskRenderer *renderer = gtk_native_get_renderer (GTK_NATIVE (self->window));

  if (width <= 0 || height <= 0 || renderer == NULL)
    return FALSE;   /* not laid out yet: try on the next frame */

  /* Draw the window into a render node, as GTK does for a frame, and
   * render that with the window's own renderer. */
  snapshot = gtk_snapshot_new ();
  GTK_WIDGET_GET_CLASS (widget)->snapshot (widget, snapshot);
  node = gtk_snapshot_free_to_node (snapshot);
  if (node == NULL)
    return FALSE;

  self->screenshot_taken = TRUE;
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  if (gdk_texture_save_to_png (texture, self->screenshot))
    printf ("screenshot: %s (%dx%d) after %u files\n", self->screenshot, width, height, self->n_done);
  else
    g_printerr ("screenshot: could not write %s\n", self->screenshot);
  fflush (stdout);
  return TRUE;
}

/* Snapshots on a frame clock tick, once the window has really been drawn
 * with the progress of the files done so far. */
static gboolean
screenshot_tick (GtkWidget     *widget,
                 GdkFrameClock *clock,
                 gpointer       user_data)
{
  Hasher *self = user_data;

  if (!save_screenshot (self))
    return G_SOURCE_CONTINUE;
  maybe_quit (self);
  return G_SOURCE_REMOVE;
}

static void
update_count (Hasher *self)
{
  guint n = hash_job_get_n_files (self->job);
  g_autofree char *text = NULL;

  text = g_strdup_printf ("%u / %u files, %.1f MiB", self->n_done, n, self->bytes / 1048576.0);
  gtk_label_set_text (self->count_label, text);
  gtk_progress_bar_set_fraction (self->progress, n > 0 ? (double) self->n_done / n : 1.0);
}

static void
set_running (Hasher   *self,
             gboolean  running)
{
  gtk_widget_set_sensitive (GTK_WIDGET (self->start_button), !running);
  gtk_widget_set_sensitive (GTK_WIDGET (self->choose_button), !running);
  gtk_widget_set_sensitive (GTK_WIDGET (self->cancel_button), running);
}

/* Measures how long the main loop goes without running: a frozen UI would
 * show a long stall. */
static gboolean
on_tick (gpointer user_data)
{
  Hasher *self = user_data;
  gint64 now = g_get_monotonic_time ();

  if (self->last_tick != 0)
    self->max_stall = MAX (self->max_stall, now - self->last_tick);
  self->last_tick = now;
  return G_SOURCE_CONTINUE;
}

/* Once the workers stopped, on the GTK main thread. */
static GAsyncFuture *
show_summary (GAsyncFuture *stopped,
              gpointer      user_data)
{
  Hasher *self = user_data;
  g_autofree char *status = NULL;

  status = g_strdup_printf ("%s: %u of %u files in %.2f s (%u unreadable)",
                            hash_job_is_cancelled (self->job) ? "Cancelled" : "Done",
                            self->n_done, hash_job_get_n_files (self->job),
                            (g_get_monotonic_time () - self->started) / 1e6,
                            self->n_failed);
  /* --slow-summary-ms: what a summary doing too much work would do. */
  if (self->slow_summary_ms > 0)
    g_usleep ((gulong) self->slow_summary_ms * 1000);
  gtk_label_set_text (self->status_label, status);
  printf ("workers stopped: %s\n", status);
  printf ("longest main-loop stall while hashing: %.1f ms\n", self->max_stall / 1000.0);
  fflush (stdout);
  set_running (self, FALSE);
  self->workers_stopped = TRUE;
  maybe_quit (self);
  return NULL;
}

/* On the GTK main thread, in batches, as results arrive. */
static void
on_result (HashJob    *job,
           HashResult *result,
           gpointer    user_data)
{
  Hasher *self = user_data;

  if (result == NULL)
    {
      g_autoptr(GAsyncFuture) stopped = gasync_future_new_for_boolean (TRUE);
      g_autoptr(GAsyncFuture) summary = NULL;

      g_clear_handle_id (&self->tick_id, g_source_remove);
      /* The summary is a continuation on this (the GTK) context, named
       * so that GASYNC_DEBUG=stalls can say which one froze the window. */
      summary = gasync_future_and_then (stopped, show_summary, self, NULL);
      gasync_future_set_name (summary, "hasher-summary");
      return;
    }

  self->n_done++;
  self->bytes += result->size;
  if (result->error != NULL)
    self->n_failed++;
  hash_result_free (result);
  update_count (self);

  if (self->screenshot != NULL && !self->screenshot_scheduled &&
      self->n_done >= (guint) self->screenshot_after)
    {
      self->screenshot_scheduled = TRUE;
      gtk_widget_add_tick_callback (GTK_WIDGET (self->window), screenshot_tick, self, NULL);
    }

  if (self->cancel_after > 0 && self->n_done == (guint) self->cancel_after)
    {
      printf ("clicking Cancel after %u files\n", self->n_done);
      fflush (stdout);
      /* As a user would: through the button. */
      g_signal_emit_by_name (self->cancel_button, "clicked");
    }
}

static void
on_start_clicked (GtkButton *button,
                  gpointer   user_data)
{
  Hasher *self = user_data;
  const char *paths[] = { self->folder, NULL };

  g_clear_pointer (&self->job, hash_job_free);
  self->n_done = self->n_failed = 0;
  self->bytes = 0;
  self->max_stall = 0;
  self->last_tick = 0;

  self->job = hash_job_new (paths, g_get_num_processors ());
  printf ("started: %u files under %s\n", hash_job_get_n_files (self->job), self->folder);
  fflush (stdout);
  gtk_label_set_text (self->status_label, "Hashing…");
  update_count (self);
  set_running (self, TRUE);
  self->started = g_get_monotonic_time ();
  self->tick_id = g_timeout_add (10, on_tick, self);
  hash_job_start (self->job, NULL, on_result, self);
}

static void
on_cancel_clicked (GtkButton *button,
                   gpointer   user_data)
{
  Hasher *self = user_data;

  if (self->job == NULL)
    return;
  gtk_label_set_text (self->status_label, "Cancelling…");
  gtk_widget_set_sensitive (GTK_WIDGET (self->cancel_button), FALSE);
  hash_job_cancel (self->job);
}

static void
on_folder_chosen (GtkNativeDialog *dialog,
                  int              response,
                  gpointer         user_data)
{
  Hasher *self = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      g_free (self->folder);
      self->folder = g_file_get_path (file);
      gtk_label_set_text (self->folder_label, self->folder);
    }
  g_object_unref (dialog);
}

static void
on_choose_clicked (GtkButton *button,
                   gpointer   user_data)
{
  Hasher *self = user_data;
  GtkFileChooserNative *chooser;

  chooser = gtk_file_chooser_native_new ("Choose a folder to hash", self->window,
                                         GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER, "_Choose", "_Cancel");
  g_signal_connect (chooser, "response", G_CALLBACK (on_folder_chosen), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static GtkWidget *
build_window (Hasher *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *title = gtk_label_new (NULL);

  self->window = GTK_WINDOW (gtk_application_window_new (self->app));
  gtk_window_set_title (self->window, "gasync hasher");
  gtk_window_set_default_size (self->window, 520, 220);

  gtk_widget_set_margin_top (box, 18);
  gtk_widget_set_margin_bottom (box, 18);
  gtk_widget_set_margin_start (box, 18);
  gtk_widget_set_margin_end (box, 18);

  gtk_label_set_markup (GTK_LABEL (title), "<b>SHA-256 of every file in a folder</b>");
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_box_append (GTK_BOX (box), title);

  self->folder_label = GTK_LABEL (gtk_label_new (self->folder));
  gtk_label_set_ellipsize (self->folder_label, PANGO_ELLIPSIZE_MIDDLE);
  gtk_widget_set_hexpand (GTK_WIDGET (self->folder_label), TRUE);
  gtk_label_set_xalign (self->folder_label, 0);
  self->choose_button = GTK_BUTTON (gtk_button_new_with_mnemonic ("_Folder…"));
  gtk_box_append (GTK_BOX (row), GTK_WIDGET (self->folder_label));
  gtk_box_append (GTK_BOX (row), GTK_WIDGET (self->choose_button));
  gtk_box_append (GTK_BOX (box), row);

  self->progress = GTK_PROGRESS_BAR (gtk_progress_bar_new ());
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->progress));

  self->count_label = GTK_LABEL (gtk_label_new ("Not started"));
  gtk_label_set_xalign (self->count_label, 0);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->count_label));

  self->status_label = GTK_LABEL (gtk_label_new ("Press Hash to start"));
  gtk_label_set_xalign (self->status_label, 0);
  gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "dim-label");
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->status_label));

  self->start_button = GTK_BUTTON (gtk_button_new_with_mnemonic ("_Hash"));
  gtk_widget_add_css_class (GTK_WIDGET (self->start_button), "suggested-action");
  self->cancel_button = GTK_BUTTON (gtk_button_new_with_mnemonic ("_Cancel"));
  gtk_widget_set_sensitive (GTK_WIDGET (self->cancel_button), FALSE);
  gtk_widget_set_halign (buttons, GTK_ALIGN_END);
  gtk_box_append (GTK_BOX (buttons), GTK_WIDGET (self->cancel_button));
  gtk_box_append (GTK_BOX (buttons), GTK_WIDGET (self->start_button));
  gtk_box_append (GTK_BOX (box), buttons);

  g_signal_connect (self->choose_button, "clicked", G_CALLBACK (on_choose_clicked), self);
  g_signal_connect (self->start_button, "clicked", G_CALLBACK (on_start_clicked), self);
  g_signal_connect (self->cancel_button, "clicked", G_CALLBACK (on_cancel_clicked), self);

  gtk_window_set_child (self->window, box);
  return GTK_WIDGET (self->window);
}

/* --start: press Hash on the first frame, once the window is on screen. */
static gboolean
start_on_first_frame (GtkWidget     *widget,
                      GdkFrameClock *clock,
                      gpointer       user_data)
{
  Hasher *self = user_data;

  g_signal_emit_by_name (self->start_button, "clicked");
  return G_SOURCE_REMOVE;
}

static void
on_activate (GtkApplication *app,
             gpointer        user_data)
{
  Hasher *self = user_data;

  if (self->window != NULL)
    {
      gtk_window_present (self->window);
      return;
    }
  if (self->folder == NULL)
    self->folder = g_strdup ("/usr/share/doc");
  build_window (self);
  gtk_window_present (self->window);
  if (self->start_now)
    gtk_widget_add_tick_callback (GTK_WIDGET (self->window), start_on_first_frame, self, NULL);
}

int
main (int   argc,
      char *argv[])
{
  Hasher self = { 0 };
  const GOptionEntry entries[] = {
    { "folder", 0, 0, G_OPTION_ARG_FILENAME, &self.folder, "The folder to hash (default: /usr/share/doc)", "PATH" },
    { "start", 0, 0, G_OPTION_ARG_NONE, &self.start_now, "Start hashing at once", NULL },
    { "screenshot", 0, 0, G_OPTION_ARG_FILENAME, &self.screenshot, "Save a PNG of the window", "FILE" },
    { "screenshot-after", 0, 0, G_OPTION_ARG_INT, &self.screenshot_after, "… once N files are done", "N" },
    { "cancel-after", 0, 0, G_OPTION_ARG_INT, &self.cancel_after, "Press Cancel once N files are done", "N" },
    { "quit-when-done", 0, 0, G_OPTION_ARG_NONE, &self.quit_when_done, "Quit when the workers have stopped", NULL },
    { "slow-summary-ms", 0, 0, G_OPTION_ARG_INT, &self.slow_summary_ms, "Make the summary freeze the window for MS ms", "MS" },
    { NULL }
  };
  int status;

  self.screenshot_after = 1;
  self.app = gtk_application_new ("org.gnome.GAsync.Hasher", G_APPLICATION_NON_UNIQUE);
  g_application_add_main_option_entries (G_APPLICATION (self.app), entries);
  g_signal_connect (self.app, "activate", G_CALLBACK (on_activate), &self);
  /* Option values land in self when the application parses them. */
  status = g_application_run (G_APPLICATION (self.app), argc, argv);

  g_clear_pointer (&self.job, hash_job_free);
  g_free (self.folder);
  g_free (self.screenshot);
  g_object_unref (self.app);
  return status;
}
