/* Pointer chasing: merge sort of a linked list, then a binary search tree built and walked.
   Usage: sort [NODES] */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

struct node { struct node *next; uint32_t key; uint32_t seq; };
struct tree { struct tree *l, *r; uint32_t key; uint32_t count; };

static uint32_t lcg(uint32_t *s) { return *s = *s * 1664525u + 1013904223u; }

static struct node *merge(struct node *a, struct node *b) {
  struct node head, *t = &head;
  while (a && b) {
    if (a->key <= b->key) { t->next = a; a = a->next; }
    else { t->next = b; b = b->next; }
    t = t->next;
  }
  t->next = a ? a : b;
  return head.next;
}

static struct node *msort(struct node *h) {
  if (!h || !h->next) return h;
  struct node *slow = h, *fast = h->next;
  while (fast && fast->next) { slow = slow->next; fast = fast->next->next; }
  struct node *b = slow->next;
  slow->next = NULL;
  return merge(msort(h), msort(b));
}

static struct tree *insert(struct tree *t, uint32_t key) {
  struct tree **p = &t;
  while (*p) {
    if (key == (*p)->key) { (*p)->count++; return t; }
    p = key < (*p)->key ? &(*p)->l : &(*p)->r;
  }
  *p = calloc(1, sizeof **p);
  (*p)->key = key;
  (*p)->count = 1;
  return t;
}

static uint32_t walk(const struct tree *t, uint32_t acc, unsigned depth, unsigned *maxdepth) {
  if (!t) return acc;
  if (depth > *maxdepth) *maxdepth = depth;
  acc = walk(t->l, acc, depth + 1, maxdepth);
  acc = acc * 31 + t->key * t->count;
  return walk(t->r, acc, depth + 1, maxdepth);
}

static void drop(struct tree *t) {
  if (!t) return;
  drop(t->l);
  drop(t->r);
  free(t);
}

int main(int argc, char **argv) {
  unsigned n = argc > 1 ? (unsigned)atoi(argv[1]) : 8000;
  uint32_t s = 42;
  struct node *list = NULL;
  for (unsigned i = 0; i < n; i++) {
    struct node *x = malloc(sizeof *x);
    x->key = lcg(&s) >> 12;
    x->seq = i;
    x->next = list;
    list = x;
  }
  list = msort(list);
  uint32_t sum = 0, prev = 0, inversions = 0;
  unsigned count = 0;
  for (struct node *p = list; p; p = p->next) {
    if (p->key < prev) inversions++;
    prev = p->key;
    sum = sum * 33 + p->key + p->seq;
    count++;
  }
  printf("list: %u nodes, %u inversions, checksum %08x\n", count, (unsigned)inversions, (unsigned)sum);
  struct tree *t = NULL;
  for (struct node *p = list; p; p = p->next) t = insert(t, (p->key * 2654435761u) >> 16);
  unsigned depth = 0;
  uint32_t acc = walk(t, 0, 0, &depth);
  printf("tree: depth %u, checksum %08x\n", depth, (unsigned)acc);
  drop(t);
  while (list) { struct node *x = list->next; free(list); list = x; }
  return 0;
}
