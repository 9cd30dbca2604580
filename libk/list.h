/*
 * libk/list.h - circular doubly linked lists with a sentinel head.
 *
 * A struct embeds a `struct list_node` and is recovered from it with
 * list_entry(). An empty list is a head whose next and prev point at
 * itself, so insertion and removal never test for NULL.
 */
#ifndef LIBK_LIST_H
#define LIBK_LIST_H

#include <stdbool.h>
#include <stddef.h>

struct list_node {
	struct list_node *next;
	struct list_node *prev;
};

/* A list head is a node that is never an entry. */
typedef struct list_node list_head_t;

/* clang-format off */
/* A static initialiser for an empty list head. */
#define LIST_HEAD_INIT(name) { &(name), &(name) }
/* clang-format on */

/* Makes head an empty list. */
static inline void list_init(struct list_node *head)
{
	head->next = head;
	head->prev = head;
}

/* True if the list has no entries. */
static inline bool list_empty(const struct list_node *head)
{
	return head->next == head;
}

/* Links n between two adjacent nodes. */
static inline void list_insert_between(struct list_node *n,
				       struct list_node *prev,
				       struct list_node *next)
{
	n->prev = prev;
	n->next = next;
	prev->next = n;
	next->prev = n;
}

/* Inserts n at the front of the list. */
static inline void list_push_front(struct list_node *head, struct list_node *n)
{
	list_insert_between(n, head, head->next);
}

/* Inserts n at the back of the list. */
static inline void list_push_back(struct list_node *head, struct list_node *n)
{
	list_insert_between(n, head->prev, head);
}

/* Unlinks n and leaves it pointing at itself (so a second remove is safe). */
static inline void list_remove(struct list_node *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	n->next = n;
	n->prev = n;
}

/* Returns the first node, or NULL when the list is empty. */
static inline struct list_node *list_first(const struct list_node *head)
{
	return list_empty(head) ? NULL : head->next;
}

/* Returns the last node, or NULL when the list is empty. */
static inline struct list_node *list_last(const struct list_node *head)
{
	return list_empty(head) ? NULL : head->prev;
}

/* Counts the entries: O(n). */
static inline size_t list_length(const struct list_node *head)
{
	size_t n = 0;
	for (const struct list_node *p = head->next; p != head; p = p->next)
		n++;
	return n;
}

/* The struct of type `type` whose member `member` is the node `ptr`. */
/* clang-format off */
#define list_entry(ptr, type, member)                                         \
	((type *)((char *)(ptr) - offsetof(type, member)))
/* clang-format on */

/* Iterates over the nodes; `pos` must not be removed inside the loop. */
#define list_for_each(pos, head)                                              \
	for ((pos) = (head)->next; (pos) != (head); (pos) = (pos)->next)

/* Iterates allowing removal of `pos`; `tmp` holds the next node. */
#define list_for_each_safe(pos, tmp, head)                                    \
	for ((pos) = (head)->next, (tmp) = (pos)->next; (pos) != (head);      \
	     (pos) = (tmp), (tmp) = (pos)->next)

#endif
