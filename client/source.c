/* source.c — the mail source interface: dispatch and shared frees. */
#include "client/source.h"

#include <stdlib.h>

int
mail_source_list_folders(struct mail_source *src, struct mail_folder **out,
			 size_t *n_out, struct err *e)
{
	return src->ops->list_folders(src, out, n_out, e);
}

int
mail_source_open_folder(struct mail_source *src, const char *id,
			struct mail_envelope **out, size_t *n_out, struct err *e)
{
	return src->ops->open_folder(src, id, out, n_out, e);
}

int
mail_source_open_folder_page(struct mail_source *src, const char *id, size_t page,
			     bool by_date, struct mail_envelope **out, size_t *n_out,
			     bool *more, struct err *e)
{
	*more = false;
	if (src->ops->open_folder_page == NULL)
		return src->ops->open_folder(src, id, out, n_out, e);
	return src->ops->open_folder_page(src, id, page, by_date, out, n_out, more, e);
}

int
mail_source_open_more(struct mail_source *src, size_t batch,
		      struct mail_envelope **out, size_t *n_out, bool *more,
		      struct err *e)
{
	*out = NULL;
	*n_out = 0;
	*more = false;
	if (src->ops->open_more == NULL)
		return 0;
	return src->ops->open_more(src, batch, out, n_out, more, e);
}

int
mail_source_fetch(struct mail_source *src, uint32_t uid, struct buf *out,
		  struct err *e)
{
	return src->ops->fetch(src, uid, out, e);
}

int
mail_source_set_flags(struct mail_source *src, uint32_t uid, unsigned set,
		      unsigned clear, struct err *e)
{
	return src->ops->set_flags(src, uid, set, clear, e);
}

int
mail_source_append(struct mail_source *src, const char *id, const char *msg,
		   size_t len, unsigned flags, struct err *e)
{
	return src->ops->append(src, id, msg, len, flags, e);
}

int
mail_source_move(struct mail_source *src, uint32_t uid, const char *id,
		 struct err *e)
{
	return src->ops->move(src, uid, id, e);
}

int
mail_source_search(struct mail_source *src, const char *text, uint32_t **out,
		   size_t *n_out, struct err *e)
{
	return src->ops->search(src, text, out, n_out, e);
}

char *
mail_source_take_notices(struct mail_source *src)
{
	return src->ops->take_notices ? src->ops->take_notices(src) : NULL;
}

char *
mail_source_identity(struct mail_source *src, uint32_t uid)
{
	return src->ops->identity ? src->ops->identity(src, uid) : NULL;
}

int
mail_source_expunge(struct mail_source *src, struct err *e)
{
	return src->ops->expunge(src, e);
}

int
mail_source_create(struct mail_source *src, const char *name, struct err *e)
{
	return src->ops->create(src, name, e);
}

int
mail_source_rename(struct mail_source *src, const char *id, const char *name,
		   struct err *e)
{
	return src->ops->rename(src, id, name, e);
}

int
mail_source_remove_folder(struct mail_source *src, const char *id, struct err *e)
{
	return src->ops->remove_folder(src, id, e);
}

int
mail_source_counts(struct mail_source *src, const char *id, unsigned *unseen,
		   unsigned *total, struct err *e)
{
	return src->ops->counts(src, id, unseen, total, e);
}

int
mail_source_remove(struct mail_source *src, uint32_t uid, struct err *e)
{
	return src->ops->remove(src, uid, e);
}

void
mail_source_free(struct mail_source **src)
{
	if (src == NULL || *src == NULL)
		return;
	(*src)->ops->close(*src);
	*src = NULL;
}

void
mail_folders_free(struct mail_folder **f, size_t n)
{
	size_t i;

	if (f == NULL || *f == NULL)
		return;
	for (i = 0; i < n; i++) {
		free((*f)[i].name);
		free((*f)[i].id);
	}
	free(*f);
	*f = NULL;
}

void
mail_envelopes_free(struct mail_envelope **env, size_t n)
{
	size_t i;

	if (env == NULL || *env == NULL)
		return;
	for (i = 0; i < n; i++) {
		free((*env)[i].from);
		free((*env)[i].sender);
		free((*env)[i].subject);
		free((*env)[i].content_type);
		free((*env)[i].message_id);
		free((*env)[i].in_reply_to);
		free((*env)[i].references);
	}
	free(*env);
	*env = NULL;
}
