/*
 * tests/host/test_libk_list.c - the intrusive circular list in libk/list.h.
 *
 * Every test ends by walking the list both ways and comparing it with the
 * order the test expects, so a broken next or prev link anywhere shows up,
 * not just the one the operation under test was meant to change.
 */
#include "libk/list.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

/* A list element: the list node sits in the middle on purpose. */
struct item {
	int before;
	struct list_node node;
	int value;
};

#define NITEMS 8

/* Items with values 0..NITEMS-1 and unlinked nodes. */
static void make_items(struct item *items, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		items[i].before = -1;
		items[i].value = (int)i;
		list_init(&items[i].node);
	}
}

/*
 * Checks that the list holds exactly the values in want[0..n), in order,
 * following next links forward and prev links backward.
 */
static void assert_list_is(const struct list_node *head, const int *want,
			   size_t n)
{
	const struct list_node *p = head->next;
	for (size_t i = 0; i < n; i++) {
		assert_ptr_not_equal(p, head);
		assert_ptr_equal(p->next->prev, p);
		assert_int_equal(list_entry(p, struct item, node)->value,
				 want[i]);
		p = p->next;
	}
	assert_ptr_equal(p, head);

	p = head->prev;
	for (size_t i = n; i > 0; i--) {
		assert_ptr_not_equal(p, head);
		assert_ptr_equal(p->prev->next, p);
		assert_int_equal(list_entry(p, struct item, node)->value,
				 want[i - 1]);
		p = p->prev;
	}
	assert_ptr_equal(p, head);

	assert_int_equal(list_length(head), n);
	assert_int_equal(list_empty(head), n == 0);
}

static void test_empty_list(void **state)
{
	(void)state;
	struct list_node head;

	list_init(&head);
	assert_true(list_empty(&head));
	assert_null(list_first(&head));
	assert_null(list_last(&head));
	assert_int_equal(list_length(&head), 0);
	assert_list_is(&head, NULL, 0);
}

static void test_static_head(void **state)
{
	(void)state;
	static struct list_node head = LIST_HEAD_INIT(head);
	struct item it[1];

	assert_true(list_empty(&head));
	make_items(it, 1);
	list_push_back(&head, &it[0].node);
	assert_list_is(&head, (const int[]){ 0 }, 1);
	list_remove(&it[0].node);
	assert_true(list_empty(&head));
}

static void test_push_back_keeps_order(void **state)
{
	(void)state;
	struct list_node head;
	struct item items[NITEMS];
	int want[NITEMS];

	list_init(&head);
	make_items(items, NITEMS);
	for (int i = 0; i < NITEMS; i++) {
		list_push_back(&head, &items[i].node);
		want[i] = i;
		assert_list_is(&head, want, (size_t)i + 1);
	}
	assert_ptr_equal(list_first(&head), &items[0].node);
	assert_ptr_equal(list_last(&head), &items[NITEMS - 1].node);
}

static void test_push_front_reverses_order(void **state)
{
	(void)state;
	struct list_node head;
	struct item items[NITEMS];
	int want[NITEMS];

	list_init(&head);
	make_items(items, NITEMS);
	for (int i = 0; i < NITEMS; i++)
		list_push_front(&head, &items[i].node);
	for (int i = 0; i < NITEMS; i++)
		want[i] = NITEMS - 1 - i;
	assert_list_is(&head, want, NITEMS);
	assert_ptr_equal(list_first(&head), &items[NITEMS - 1].node);
	assert_ptr_equal(list_last(&head), &items[0].node);
}

static void test_mixed_pushes(void **state)
{
	(void)state;
	struct list_node head;
	struct item items[4];

	list_init(&head);
	make_items(items, 4);
	list_push_back(&head, &items[0].node);
	list_push_front(&head, &items[1].node);
	list_push_back(&head, &items[2].node);
	list_push_front(&head, &items[3].node);
	assert_list_is(&head, (const int[]){ 3, 1, 0, 2 }, 4);
}

static void test_remove_first_middle_last(void **state)
{
	(void)state;
	struct list_node head;
	struct item items[5];

	list_init(&head);
	make_items(items, 5);
	for (int i = 0; i < 5; i++)
		list_push_back(&head, &items[i].node);

	list_remove(&items[2].node);
	assert_list_is(&head, (const int[]){ 0, 1, 3, 4 }, 4);
	list_remove(&items[0].node);
	assert_list_is(&head, (const int[]){ 1, 3, 4 }, 3);
	list_remove(&items[4].node);
	assert_list_is(&head, (const int[]){ 1, 3 }, 2);
	list_remove(&items[1].node);
	list_remove(&items[3].node);
	assert_list_is(&head, NULL, 0);
}

static void test_removed_node_is_self_linked(void **state)
{
	(void)state;
	struct list_node head;
	struct item items[3];

	list_init(&head);
	make_items(items, 3);
	for (int i = 0; i < 3; i++)
		list_push_back(&head, &items[i].node);

	list_remove(&items[1].node);
	assert_ptr_equal(items[1].node.next, &items[1].node);
	assert_ptr_equal(items[1].node.prev, &items[1].node);

	/* Removing it again must leave the list alone. */
	list_remove(&items[1].node);
	assert_list_is(&head, (const int[]){ 0, 2 }, 2);

	/* A removed node can be inserted again. */
	list_push_back(&head, &items[1].node);
	assert_list_is(&head, (const int[]){ 0, 2, 1 }, 3);
}

static void test_list_entry_recovers_container(void **state)
{
	(void)state;
	struct item it;

	make_items(&it, 1);
	it.value = 1234;
	assert_ptr_equal(list_entry(&it.node, struct item, node), &it);
	assert_int_equal(list_entry(&it.node, struct item, node)->before, -1);
}

static void test_for_each_visits_in_order(void **state)
{
	(void)state;
	struct list_node head;
	struct item items[NITEMS];
	struct list_node *pos;
	int seen = 0;

	list_init(&head);
	list_for_each(pos, &head)
		fail_msg("an empty list has nothing to visit");

	make_items(items, NITEMS);
	for (int i = 0; i < NITEMS; i++)
		list_push_back(&head, &items[i].node);
	list_for_each(pos, &head) {
		assert_int_equal(list_entry(pos, struct item, node)->value,
				 seen);
		seen++;
	}
	assert_int_equal(seen, NITEMS);
}

static void test_for_each_safe_allows_removal(void **state)
{
	(void)state;
	struct list_node head;
	struct item items[NITEMS];
	struct list_node *pos;
	struct list_node *tmp;
	int seen = 0;

	list_init(&head);
	make_items(items, NITEMS);
	for (int i = 0; i < NITEMS; i++)
		list_push_back(&head, &items[i].node);

	/* Remove the even values while walking; every node is still seen. */
	list_for_each_safe(pos, tmp, &head) {
		struct item *it = list_entry(pos, struct item, node);
		assert_int_equal(it->value, seen);
		seen++;
		if (it->value % 2 == 0)
			list_remove(pos);
	}
	assert_int_equal(seen, NITEMS);
	assert_list_is(&head, (const int[]){ 1, 3, 5, 7 }, 4);

	/* Remove everything, emptying the list from inside the loop. */
	list_for_each_safe(pos, tmp, &head)
		list_remove(pos);
	assert_list_is(&head, NULL, 0);
}

static void test_length_follows_changes(void **state)
{
	(void)state;
	struct list_node head;
	struct item items[NITEMS];

	list_init(&head);
	make_items(items, NITEMS);
	for (int i = 0; i < NITEMS; i++) {
		list_push_front(&head, &items[i].node);
		assert_int_equal(list_length(&head), (size_t)i + 1);
	}
	for (int i = 0; i < NITEMS; i++) {
		list_remove(&items[i].node);
		assert_int_equal(list_length(&head), (size_t)(NITEMS - 1 - i));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_list),
		cmocka_unit_test(test_static_head),
		cmocka_unit_test(test_push_back_keeps_order),
		cmocka_unit_test(test_push_front_reverses_order),
		cmocka_unit_test(test_mixed_pushes),
		cmocka_unit_test(test_remove_first_middle_last),
		cmocka_unit_test(test_removed_node_is_self_linked),
		cmocka_unit_test(test_list_entry_recovers_container),
		cmocka_unit_test(test_for_each_visits_in_order),
		cmocka_unit_test(test_for_each_safe_allows_removal),
		cmocka_unit_test(test_length_follows_changes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
