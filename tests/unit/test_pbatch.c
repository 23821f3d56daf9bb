/*
 * test_pbatch: packing, capacity limits and ordering of record batches.
 */
#include "t.h"

#include "pbatch.h"

static void
person(struct person *p, const char *pid, const char *name)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->personal_id, sizeof(p->personal_id), "%s", pid);
	snprintf(p->full_name, sizeof(p->full_name), "%s", name);
	strcpy(p->birth_date, "1990-05-17");
	strcpy(p->sex, "male");
	strcpy(p->nationality, "Vi\xe1\xbb\x87t Nam");
	strcpy(p->place_of_origin, "H\xc3\xa0 N\xe1\xbb\x99i");
	strcpy(p->residence, "12 L\xc3\xaa L\xe1\xbb\xa3i, Qu\xe1\xba\xadn 1");
	strcpy(p->card_number, pid);
	strcpy(p->card_issued_on, "2021-03-01");
	strcpy(p->card_expires_on, "2036-05-17");
	strcpy(p->status, "living");
}

TEST(round_trip_every_field)
{
	struct pbatch *b = pbatch_new(4, 4096);
	struct person in, out;
	unsigned long line = 0;

	CHECK(b != NULL);
	if (b == NULL)
		return;
	person(&in, "001090000001", "Nguy\xe1\xbb\x85n V\xc4\x83n An");
	strcpy(in.date_of_death, "2024-01-02");
	CHECK_EQ_INT(pbatch_add(b, &in, 7), 0);
	CHECK_EQ_INT(pbatch_len(b), 1);
	memset(&out, 'x', sizeof(out));
	pbatch_get(b, 0, &out, &line);
	CHECK_EQ_INT(line, 7);
	CHECK_STR(out.personal_id, in.personal_id);
	CHECK_STR(out.full_name, in.full_name);
	CHECK_STR(out.birth_date, in.birth_date);
	CHECK_STR(out.sex, in.sex);
	CHECK_STR(out.nationality, in.nationality);
	CHECK_STR(out.place_of_origin, in.place_of_origin);
	CHECK_STR(out.residence, in.residence);
	CHECK_STR(out.card_number, in.card_number);
	CHECK_STR(out.card_issued_on, in.card_issued_on);
	CHECK_STR(out.card_expires_on, in.card_expires_on);
	CHECK_STR(out.status, in.status);
	CHECK_STR(out.date_of_death, in.date_of_death);
	pbatch_free(b);
}

TEST(full_by_rows_and_by_bytes)
{
	struct pbatch *b = pbatch_new(2, 4096), *small = pbatch_new(10, 150);
	struct person p;

	CHECK(b != NULL && small != NULL);
	if (b == NULL || small == NULL)
		return;
	person(&p, "001090000001", "A");
	CHECK_EQ_INT(pbatch_add(b, &p, 2), 0);
	CHECK_EQ_INT(pbatch_add(b, &p, 3), 0);
	CHECK_EQ_INT(pbatch_add(b, &p, 4), 1);
	CHECK_EQ_INT(pbatch_len(b), 2);
	pbatch_clear(b);
	CHECK_EQ_INT(pbatch_len(b), 0);
	CHECK_EQ_INT(pbatch_add(b, &p, 5), 0);
	/* About 120 bytes a record: the second does not fit in 150. */
	CHECK_EQ_INT(pbatch_add(small, &p, 2), 0);
	CHECK_EQ_INT(pbatch_add(small, &p, 3), 1);
	CHECK_EQ_INT(pbatch_len(small), 1);
	pbatch_free(b);
	pbatch_free(small);
}

TEST(sorted_by_id_then_line)
{
	static const struct { const char *pid; unsigned long line; } in[] = {
		{ "079195000002", 2 }, { "001090000001", 3 }, { "035190000009", 4 },
		{ "001090000001", 5 }, { "001090000000", 6 },
	};
	static const struct { const char *pid; unsigned long line; } want[] = {
		{ "001090000000", 6 }, { "001090000001", 3 }, { "001090000001", 5 },
		{ "035190000009", 4 }, { "079195000002", 2 },
	};
	struct pbatch *b = pbatch_new(16, 8192);
	struct person p;
	unsigned long line;
	char name[16];

	CHECK(b != NULL);
	if (b == NULL)
		return;
	for (size_t i = 0; i < ARRAY_LEN(in); i++) {
		snprintf(name, sizeof(name), "n%lu", in[i].line);
		person(&p, in[i].pid, name);
		CHECK_EQ_INT(pbatch_add(b, &p, in[i].line), 0);
	}
	pbatch_sort(b);
	for (size_t i = 0; i < ARRAY_LEN(want); i++) {
		pbatch_get(b, i, &p, &line);
		CHECK_STR(p.personal_id, want[i].pid);
		CHECK_EQ_INT(line, want[i].line);
		snprintf(name, sizeof(name), "n%lu", want[i].line);
		CHECK_STR(p.full_name, name);	/* fields travel with their row */
	}
	pbatch_free(b);
}

T_MAIN(T(round_trip_every_field), T(full_by_rows_and_by_bytes),
    T(sorted_by_id_then_line))
