/*
 * regen: deterministic synthetic population for the national population
 * registry. Owns the generator state (xoshiro256** seeded by splitmix64),
 * the weighted name and place tables, the per-bucket serial counters that
 * keep personal identification numbers unique, the card issue/expiry rule,
 * and the RFC 4180 CSV writer. All tables are read-only; all mutable state
 * lives in heap blocks owned by one call.
 */
#include "regen.h"

#include "province.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define YEAR_MIN 1930
#define YEAR_MAX 2012
#define NYEARS (YEAR_MAX - YEAR_MIN + 1)
#define MAX_PROVINCES 100
#define SERIALS 1000000u
#define OUTBUF_SIZE (1u << 17)
#define ROW_MAX 8192
#define FIELD_MAX 768
#define DECEASED_PER_10K 150u

static const char csv_header[] =
	"personal_id,full_name,birth_date,sex,nationality,place_of_origin,"
	"residence,card_number,card_issued_on,card_expires_on,status\n";

struct weighted {
	const char *s;
	uint16_t w;
};

/* Family names, weighted by rough share (about per mille) of the people. */
static const struct weighted family_names[] = {
	{ "Nguyễn", 355 }, { "Trần", 110 }, { "Lê", 95 }, { "Phạm", 70 },
	{ "Hoàng", 30 }, { "Huỳnh", 25 }, { "Phan", 45 }, { "Vũ", 22 },
	{ "Võ", 17 }, { "Đặng", 21 }, { "Bùi", 20 }, { "Đỗ", 14 },
	{ "Hồ", 13 }, { "Ngô", 13 }, { "Dương", 10 }, { "Lý", 5 },
	{ "Đinh", 6 }, { "Trương", 6 }, { "Lâm", 4 }, { "Mai", 4 },
	{ "Trịnh", 4 }, { "Đoàn", 4 }, { "Lương", 4 }, { "Cao", 3 },
	{ "Hà", 3 }, { "Tạ", 2 }, { "Tô", 2 }, { "Chu", 2 }, { "Thái", 2 },
	{ "Lưu", 2 }, { "La", 1 }, { "Kiều", 1 }, { "Quách", 1 },
	{ "Vương", 1 }, { "Từ", 1 }, { "Châu", 1 }, { "Triệu", 1 },
	{ "Mạc", 1 }, { "Khúc", 1 }, { "Nghiêm", 1 },
};

/* Element 0 is the traditional marker (Văn / Thị), drawn separately. */
static const char *const male_middle[] = {
	"Văn", "Đức", "Minh", "Quốc", "Hữu", "Công", "Thanh", "Đình", "Xuân",
	"Quang", "Tuấn", "Gia", "Hoàng", "Bảo", "Trọng", "Ngọc", "Anh", "Duy",
	"Thế", "Mạnh", "Việt", "Tiến", "Trung", "Nhật", "Chí", "Khắc",
};
static const char *const female_middle[] = {
	"Thị", "Ngọc", "Thu", "Thanh", "Mai", "Kim", "Thùy", "Phương", "Bảo",
	"Hồng", "Minh", "Khánh", "Hoài", "Diệu", "Mỹ", "Bích", "Quỳnh", "Hải",
	"Tuyết", "Lan", "Như", "Thảo", "Cẩm", "Ánh", "Diễm", "Hoàng",
};
static const char *const male_middle2[] = {
	"Minh", "Quốc", "Gia", "Anh", "Hoàng", "Bảo", "Đức", "Tuấn", "Nhật",
	"Thành", "Hải", "Trung", "Thiên", "Đăng", "Khôi",
};
static const char *const female_middle2[] = {
	"Thu", "Ngọc", "Minh", "Bảo", "Khánh", "Phương", "Thảo", "Quỳnh",
	"Mai", "Thùy", "Hồng", "Hải", "Kim", "Anh", "Tường", "Yến",
};
static const char *const male_given[] = {
	"Hùng", "Dũng", "Tuấn", "Quân", "Phúc", "Khoa", "Minh", "Nam", "Hải",
	"Sơn", "Long", "Thắng", "Cường", "Hiếu", "Huy", "Đức", "Trung",
	"Kiên", "Tùng", "Vinh", "Bảo", "Khang", "Khánh", "Hoàng", "Thành",
	"Tâm", "Toàn", "Lộc", "Tài", "Phong", "Hưng", "Thịnh", "Việt", "Anh",
	"Quang", "Đạt", "Duy", "Nghĩa", "Trí", "Tiến", "Hòa", "Bình", "Tú",
	"Thiện", "Nhân", "Lâm", "Hậu", "Chiến", "Tín", "Phát", "Kiệt", "Thái",
	"Hiển", "Luân", "Vũ", "Khôi", "Đông", "Lực", "Tường", "Thuận",
};
static const char *const female_given[] = {
	"Lan", "Hương", "Linh", "Trang", "Thảo", "Ngọc", "Vy", "Hà", "Hoa",
	"Mai", "Huyền", "Hằng", "Nga", "Nhung", "Phương", "Yến", "Oanh",
	"Thủy", "Loan", "Hạnh", "Dung", "Tuyết", "Hiền", "Quỳnh", "Anh",
	"Chi", "Giang", "My", "Nhi", "Trâm", "Uyên", "Vân", "Xuân", "Diệp",
	"Hồng", "Liên", "Nhàn", "Thư", "Thoa", "Tâm", "Nguyệt", "Bích",
	"Diễm", "Ly", "Như", "Châu", "Ánh", "Hạ", "Thắm", "Lệ", "Duyên",
	"Huệ", "Cúc", "Đào", "Trinh", "Hiên", "Khuê", "Ngân", "Tiên", "Thơ",
};

/* Two syllables from these make ward, commune and district names. */
static const char *const place_a[] = {
	"Tân", "Bình", "Hòa", "An", "Phú", "Long", "Đông", "Tây", "Nam",
	"Bắc", "Vĩnh", "Thạnh", "Hưng", "Thanh", "Xuân", "Quang", "Minh",
	"Phước", "Mỹ", "Đại", "Hiệp", "Trung", "Thái", "Cẩm", "Hồng", "Kim",
	"Ngọc", "Đức", "Yên", "Thuận", "Cát", "Lạc", "Quảng", "Triệu",
};
static const char *const place_b[] = {
	"Phú", "Hòa", "An", "Lợi", "Thành", "Bình", "Hưng", "Thịnh", "Lộc",
	"Phước", "Mỹ", "Đông", "Tây", "Trung", "Sơn", "Hải", "Lâm", "Thuận",
	"Khánh", "Tiến", "Lạc", "Xuân", "Điền", "Châu", "Giang", "Phong",
	"Ninh", "Nghĩa", "Hiệp", "Long", "Khê", "Đồng", "Vinh", "Tường",
};
static const char *const streets[] = {
	"Lê Lợi", "Trần Hưng Đạo", "Nguyễn Huệ", "Hai Bà Trưng",
	"Lý Thường Kiệt", "Quang Trung", "Nguyễn Trãi", "Lê Duẩn",
	"Hùng Vương", "Điện Biên Phủ", "Phan Chu Trinh", "Phan Bội Châu",
	"Nguyễn Du", "Bà Triệu", "Ngô Quyền", "Trần Phú", "Lê Lai",
	"Võ Thị Sáu", "Cách Mạng Tháng Tám", "Nguyễn Văn Cừ",
	"Nguyễn Thị Minh Khai", "Lê Thánh Tông", "Hoàng Văn Thụ",
	"Lạc Long Quân", "Âu Cơ", "Tôn Đức Thắng", "Nguyễn Chí Thanh",
	"Võ Văn Kiệt", "Trường Chinh", "Lê Hồng Phong", "Nguyễn Thái Học",
	"Đinh Tiên Hoàng", "Lý Tự Trọng", "Pasteur", "Nam Kỳ Khởi Nghĩa",
	"Phạm Ngũ Lão", "Hoàng Diệu", "Trần Quang Khải", "Nguyễn Đình Chiểu",
	"Lê Văn Sỹ", "Xô Viết Nghệ Tĩnh", "Trần Quốc Toản", "Yersin",
	"Chu Văn An", "Nguyễn Tất Thành", "Hàm Nghi", "Lê Quý Đôn",
	"Phạm Văn Đồng", "Võ Nguyên Giáp", "Bạch Đằng", "Thống Nhất",
	"Ngô Gia Tự", "Mạc Đĩnh Chi", "Kim Mã", "Giải Phóng", "Xuân Thủy",
};

/* Rough population (tens of thousands) by numeric province code. */
static const uint16_t province_weight[100] = {
	[1] = 805, [2] = 85, [4] = 53, [6] = 31, [8] = 78, [10] = 73,
	[11] = 60, [12] = 46, [14] = 125, [15] = 82, [17] = 85, [19] = 129,
	[20] = 78, [22] = 132, [24] = 180, [25] = 146, [26] = 115, [27] = 137,
	[30] = 189, [31] = 203, [33] = 125, [34] = 186, [35] = 85, [36] = 178,
	[37] = 98, [38] = 364, [40] = 333, [42] = 129, [44] = 90, [45] = 63,
	[46] = 113, [48] = 113, [49] = 150, [51] = 123, [52] = 149, [54] = 96,
	[56] = 123, [58] = 59, [60] = 123, [62] = 54, [64] = 151, [66] = 187,
	[67] = 62, [68] = 130, [70] = 99, [72] = 117, [74] = 243, [75] = 310,
	[77] = 115, [79] = 899, [80] = 169, [82] = 176, [83] = 129,
	[84] = 101, [86] = 102, [87] = 160, [89] = 191, [91] = 172,
	[92] = 124, [93] = 73, [94] = 120, [95] = 91, [96] = 119,
};

#define CODE_HANOI 1
#define CODE_HCMC 79
/* From this code on, provinces are in the south-east and Mekong delta. */
#define CODE_SOUTH 70

struct rng {
	uint64_t s[4];
};

struct person {
	size_t prov;
	int female;
	int year;
	unsigned month, day;
	int32_t birth, issued, expires;
	char id[12];
};

struct field {
	size_t n;
	char b[FIELD_MAX];
};

struct regen {
	struct rng rng;
	uint64_t seed;
	size_t nprov;
	uint32_t prov_cum[MAX_PROVINCES];
	uint32_t prov_total;
	int prov_code[MAX_PROVINCES];
	uint32_t year_cum[NYEARS];
	uint32_t year_total;
	uint32_t family_total;
	int32_t first_issue, last_issue, peak_lo, peak_hi;
	uint32_t *used;
	FILE *out;
	int failed;
	size_t len;
	char buf[OUTBUF_SIZE];
};

static uint64_t
splitmix64(uint64_t *x)
{
	uint64_t z = (*x += UINT64_C(0x9E3779B97F4A7C15));

	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

static void
rng_seed(struct rng *r, uint64_t seed)
{
	uint64_t x = seed;

	for (size_t i = 0; i < ARRAY_LEN(r->s); i++)
		r->s[i] = splitmix64(&x);
}

static uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t
rng_next(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

/* Uniform in [0, n), n > 0. */
static uint32_t
rng_below(struct rng *r, uint32_t n)
{
	return (uint32_t)(((rng_next(r) >> 32) * n) >> 32);
}

static const char *
pick(struct rng *r, const char *const *list, size_t n)
{
	return list[rng_below(r, (uint32_t)n)];
}

#define PICK(r, list) pick((r), (list), ARRAY_LEN(list))

/* Index into a cumulative weight table of n entries summing to total. */
static size_t
pick_cum(struct rng *r, const uint32_t *cum, size_t n, uint32_t total)
{
	uint32_t x = rng_below(r, total);
	size_t lo = 0, hi = n - 1;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (x < cum[mid])
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

static int
is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned
month_days(int y, unsigned m)
{
	static const unsigned char mdays[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31,
	};

	return m == 2 && is_leap(y) ? 29u : mdays[m - 1];
}

static int32_t
days_from_civil(int y, unsigned m, unsigned d)
{
	int yy = m <= 2 ? y - 1 : y;
	int era = (yy >= 0 ? yy : yy - 399) / 400;
	unsigned yoe = (unsigned)(yy - era * 400);
	unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return (int32_t)(era * 146097 + (int)doe - 719468);
}

static void
civil_from_days(int32_t z, int *y, unsigned *m, unsigned *d)
{
	int32_t zz = z + 719468;
	int32_t era = (zz >= 0 ? zz : zz - 146096) / 146097;
	unsigned doe = (unsigned)(zz - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;

	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int)yoe + (int)era * 400 + (*m <= 2 ? 1 : 0);
}

/*
 * The day a person born on y-m-d turns `years` old. A 29 February birthday
 * falls on 28 February in common years (the period ends on the last day of
 * the month, Civil Code 2015 art. 148).
 */
static int32_t
anniversary(const struct person *p, int years)
{
	int y = p->year + years;
	unsigned last = month_days(y, p->month);

	return days_from_civil(y, p->month, p->day < last ? p->day : last);
}

static void
put_digits(char *w, unsigned v, int n)
{
	for (int i = n - 1; i >= 0; i--) {
		w[i] = (char)('0' + v % 10);
		v /= 10;
	}
}

static void
field_put(struct field *f, const char *s, size_t n)
{
	if (n > sizeof(f->b) - f->n)
		n = sizeof(f->b) - f->n;
	memcpy(f->b + f->n, s, n);
	f->n += n;
}

static void
field_str(struct field *f, const char *s)
{
	field_put(f, s, strlen(s));
}

static void
field_uint(struct field *f, unsigned v)
{
	char tmp[12];
	size_t i = sizeof(tmp);

	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	field_put(f, tmp + i, sizeof(tmp) - i);
}

static void
flush_buf(struct regen *g)
{
	if (g->len != 0 && fwrite(g->buf, 1, g->len, g->out) != g->len)
		g->failed = 1;
	g->len = 0;
}

static void
out_raw(struct regen *g, const char *s, size_t n)
{
	memcpy(g->buf + g->len, s, n);
	g->len += n;
}

/* One CSV field and its trailing separator, quoted per RFC 4180 if needed. */
static void
out_field(struct regen *g, const char *s, size_t n, char sep)
{
	char *w;

	if (memchr(s, ',', n) == NULL && memchr(s, '"', n) == NULL &&
	    memchr(s, '\n', n) == NULL && memchr(s, '\r', n) == NULL) {
		out_raw(g, s, n);
		g->buf[g->len++] = sep;
		return;
	}
	w = g->buf + g->len;
	*w++ = '"';
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"')
			*w++ = '"';
		*w++ = s[i];
	}
	*w++ = '"';
	*w++ = sep;
	g->len = (size_t)(w - g->buf);
}

static void
out_date(struct regen *g, int32_t day, char sep)
{
	int y;
	unsigned m, d;
	char *w = g->buf + g->len;

	civil_from_days(day, &y, &m, &d);
	put_digits(w, (unsigned)y, 4);
	w[4] = '-';
	put_digits(w + 5, m, 2);
	w[7] = '-';
	put_digits(w + 8, d, 2);
	w[10] = sep;
	g->len += 11;
}

static uint32_t
year_weight(int y)
{
	if (y < 1945)
		return (uint32_t)(4 + (y - 1930));
	if (y < 1960)
		return (uint32_t)(20 + 2 * (y - 1945));
	if (y < 1975)
		return (uint32_t)(50 + (y - 1960));
	/* Births are drawn from the first half of the last year only. */
	return y == YEAR_MAX ? 33 : 66;
}

static int
setup(struct regen *g, FILE *out, uint64_t seed)
{
	uint32_t acc = 0;

	g->nprov = province_count();
	if (g->nprov == 0 || g->nprov > MAX_PROVINCES)
		return -1;
	for (size_t i = 0; i < g->nprov; i++) {
		const char *c = province_code(i);
		int code = (c[0] - '0') * 100 + (c[1] - '0') * 10 + (c[2] - '0');
		uint32_t w = code >= 0 && code < 100 ? province_weight[code] : 0;
		g->prov_code[i] = code;
		acc += w != 0 ? w : 50;
		g->prov_cum[i] = acc;
	}
	g->prov_total = acc;
	acc = 0;
	for (int y = YEAR_MIN; y <= YEAR_MAX; y++) {
		acc += year_weight(y);
		g->year_cum[y - YEAR_MIN] = acc;
	}
	g->year_total = acc;
	for (size_t i = 0; i < ARRAY_LEN(family_names); i++)
		g->family_total += family_names[i].w;
	g->first_issue = days_from_civil(2016, 1, 1);
	g->last_issue = days_from_civil(2026, 6, 30);
	g->peak_lo = days_from_civil(2021, 1, 1);
	g->peak_hi = days_from_civil(2022, 12, 31);
	g->seed = seed;
	g->out = out;
	rng_seed(&g->rng, seed);
	return 0;
}

static size_t
bucket_count(const struct regen *g)
{
	return 2 * (size_t)NYEARS * g->nprov;
}

/*
 * Take the next serial of the (sex, birth year, province) bucket. A full
 * bucket passes the person on to the next one, so numbers never repeat.
 */
static int
assign_id(struct regen *g, struct person *p)
{
	size_t nb = bucket_count(g);
	size_t idx = ((size_t)p->female * NYEARS + (size_t)(p->year - YEAR_MIN)) *
	    g->nprov + p->prov;
	uint64_t x;
	unsigned serial, century;

	for (size_t k = 0; k < nb && g->used[idx] >= SERIALS; k++)
		idx = (idx + 1) % nb;
	if (g->used[idx] >= SERIALS)
		return -1;
	p->prov = idx % g->nprov;
	p->year = YEAR_MIN + (int)(idx / g->nprov % NYEARS);
	p->female = (int)(idx / g->nprov / NYEARS);
	x = g->seed ^ ((uint64_t)idx * UINT64_C(0xD1B54A32D192ED03));
	serial = (unsigned)((splitmix64(&x) % SERIALS + g->used[idx]) % SERIALS);
	g->used[idx]++;
	century = p->year >= 2000 ? 2u : 0u;
	memcpy(p->id, province_code(p->prov), 3);
	p->id[3] = (char)('0' + century + (unsigned)p->female);
	put_digits(p->id + 4, (unsigned)(p->year % 100), 2);
	put_digits(p->id + 6, serial, 6);
	return 0;
}

static void
draw_birth(struct regen *g, struct person *p)
{
	int32_t jan1 = days_from_civil(p->year, 1, 1);
	int32_t span = days_from_civil(p->year + 1, 1, 1) - jan1;

	if (p->year == YEAR_MAX)
		span = days_from_civil(YEAR_MAX, 7, 1) - jan1;
	p->birth = jan1 + (int32_t)rng_below(&g->rng, (uint32_t)span);
	civil_from_days(p->birth, &p->year, &p->month, &p->day);
}

/*
 * Chip cards exist from 2016; a card is issued from age 14. It must be
 * renewed at 25, 40 and 60; one issued within two years before such an age
 * stays valid until the next, and one issued from 58 on never expires
 * (written as the 100th birthday).
 */
static void
draw_card(struct regen *g, struct person *p)
{
	static const int renew_at[] = { 25, 40, 60 };
	int32_t lo = anniversary(p, 14), hi = g->last_issue;

	if (lo < g->first_issue)
		lo = g->first_issue;
	if (lo > hi)
		lo = hi;
	if (lo <= g->peak_hi && hi >= g->peak_lo && rng_below(&g->rng, 2) == 0) {
		lo = lo > g->peak_lo ? lo : g->peak_lo;
		hi = hi < g->peak_hi ? hi : g->peak_hi;
	}
	p->issued = lo + (int32_t)rng_below(&g->rng, (uint32_t)(hi - lo + 1));
	p->expires = anniversary(p, 100);
	for (size_t i = 0; i < ARRAY_LEN(renew_at); i++) {
		if (p->issued < anniversary(p, renew_at[i] - 2)) {
			p->expires = anniversary(p, renew_at[i]);
			break;
		}
	}
}

static const char *
draw_family(struct regen *g)
{
	uint32_t x = rng_below(&g->rng, g->family_total);
	size_t i = 0;

	while (i + 1 < ARRAY_LEN(family_names) && x >= family_names[i].w)
		x -= family_names[i++].w;
	return family_names[i].s;
}

static const char *
draw_middle(struct regen *g, const struct person *p)
{
	const char *const *list = p->female ? female_middle : male_middle;
	size_t n = p->female ? ARRAY_LEN(female_middle) : ARRAY_LEN(male_middle);
	uint32_t marker = p->year < 1980 ? (p->female ? 55u : 45u) : 20u;

	if (rng_below(&g->rng, 100) < marker)
		return list[0];
	return list[1 + rng_below(&g->rng, (uint32_t)(n - 1))];
}

static int
same(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

static void
put_name(struct regen *g, struct field *f, const struct person *p)
{
	const char *family = draw_family(g);
	const char *mid = draw_middle(g, p), *mid2 = NULL, *given;

	if (same(mid, family))
		mid = p->female ? female_middle[0] : male_middle[0];
	if (rng_below(&g->rng, 100) < 18) {
		mid2 = p->female ? PICK(&g->rng, female_middle2) :
		    PICK(&g->rng, male_middle2);
		if (same(mid2, mid) || same(mid2, family))
			mid2 = NULL;
	}
	do {
		given = p->female ? PICK(&g->rng, female_given) :
		    PICK(&g->rng, male_given);
	} while (same(given, mid) || same(given, mid2));
	field_str(f, family);
	field_put(f, " ", 1);
	field_str(f, mid);
	if (mid2 != NULL) {
		field_put(f, " ", 1);
		field_str(f, mid2);
	}
	field_put(f, " ", 1);
	field_str(f, given);
}

/* A two-syllable place name such as "Tân Phú". */
static void
put_place(struct regen *g, struct field *f)
{
	const char *a = PICK(&g->rng, place_a);
	const char *b = PICK(&g->rng, place_b);

	if (same(a, b))
		b = same(place_b[0], a) ? place_b[1] : place_b[0];
	field_str(f, a);
	field_put(f, " ", 1);
	field_str(f, b);
}

static int
is_city(const struct regen *g, size_t prov)
{
	switch (g->prov_code[prov]) {
	case 1: case 31: case 48: case 79: case 92:
		return 1;
	default:
		return 0;
	}
}

static void
put_province(const struct regen *g, struct field *f, size_t prov)
{
	if (is_city(g, prov))
		field_str(f, "Thành phố ");
	field_str(f, province_name(prov));
}

static void
put_labelled(struct regen *g, struct field *f, const char *label)
{
	field_str(f, label);
	put_place(g, f);
	field_put(f, ", ", 2);
}

/* "Xã Tân Phú, Huyện Đức Hòa, Long An" and the like. */
static void
put_origin(struct regen *g, struct field *f, size_t prov)
{
	uint32_t r = rng_below(&g->rng, 100);

	if (r < 78) {
		put_labelled(g, f, "Xã ");
		put_labelled(g, f, "Huyện ");
	} else if (r < 88) {
		put_labelled(g, f, "Thị trấn ");
		put_labelled(g, f, "Huyện ");
	} else {
		put_labelled(g, f, "Phường ");
		put_labelled(g, f, r < 94 ? "Thị xã " : "Thành phố ");
	}
	put_province(g, f, prov);
}

static void
put_house(struct regen *g, struct field *f, const char *street_kind)
{
	field_uint(f, 1 + rng_below(&g->rng, rng_below(&g->rng, 4) == 0 ? 600 : 150));
	if (rng_below(&g->rng, 4) == 0) {
		field_put(f, "/", 1);
		field_uint(f, 1 + rng_below(&g->rng, 60));
	}
	field_put(f, " ", 1);
	field_str(f, street_kind);
	field_str(f, PICK(&g->rng, streets));
	field_put(f, ", ", 2);
}

static void
put_city_address(struct regen *g, struct field *f, size_t prov)
{
	int hanoi = g->prov_code[prov] == CODE_HANOI;

	if (hanoi && rng_below(&g->rng, 3) == 0) {
		field_str(f, "Số ");
		field_uint(f, 1 + rng_below(&g->rng, 80));
		field_str(f, ", Ngõ ");
		field_uint(f, 1 + rng_below(&g->rng, 400));
		field_str(f, ", Phố ");
		field_str(f, PICK(&g->rng, streets));
		field_put(f, ", ", 2);
	} else {
		put_house(g, f, hanoi ? "Phố " : "Đường ");
	}
	put_labelled(g, f, "Phường ");
	if (g->prov_code[prov] == CODE_HCMC && rng_below(&g->rng, 2) == 0) {
		field_str(f, "Quận ");
		field_uint(f, 1 + rng_below(&g->rng, 12));
		field_put(f, ", ", 2);
	} else {
		put_labelled(g, f, "Quận ");
	}
}

static void
put_rural_address(struct regen *g, struct field *f, size_t prov)
{
	if (g->prov_code[prov] >= CODE_SOUTH) {
		put_labelled(g, f, "Ấp ");
	} else if (rng_below(&g->rng, 3) == 0) {
		put_labelled(g, f, "Thôn ");
	} else {
		field_str(f, rng_below(&g->rng, 2) == 0 ? "Thôn " : "Xóm ");
		field_uint(f, 1 + rng_below(&g->rng, 15));
		field_put(f, ", ", 2);
	}
	put_labelled(g, f, "Xã ");
	put_labelled(g, f, "Huyện ");
}

/* "12 Đường Lê Lợi, Phường Bến Thành, Quận 1, Thành phố Hồ Chí Minh". */
static void
put_residence(struct regen *g, struct field *f, size_t prov)
{
	if (is_city(g, prov)) {
		put_city_address(g, f, prov);
	} else if (rng_below(&g->rng, 100) < 45) {
		put_house(g, f, "Đường ");
		put_labelled(g, f, "Phường ");
		put_labelled(g, f, rng_below(&g->rng, 3) == 0 ? "Thị xã " :
		    "Thành phố ");
	} else {
		put_rural_address(g, f, prov);
	}
	put_province(g, f, prov);
}

static size_t
draw_province(struct regen *g)
{
	return pick_cum(&g->rng, g->prov_cum, g->nprov, g->prov_total);
}

static int
write_person(struct regen *g)
{
	struct person p;
	struct field f;
	size_t prov;

	memset(&p, 0, sizeof(p));
	p.female = (int)rng_below(&g->rng, 2);
	p.year = YEAR_MIN + (int)pick_cum(&g->rng, g->year_cum, NYEARS,
	    g->year_total);
	p.prov = draw_province(g);
	if (assign_id(g, &p) != 0)
		return -1;
	draw_birth(g, &p);
	draw_card(g, &p);
	out_field(g, p.id, sizeof(p.id), ',');
	f.n = 0;
	put_name(g, &f, &p);
	out_field(g, f.b, f.n, ',');
	out_date(g, p.birth, ',');
	if (p.female)
		out_raw(g, "female,Việt Nam,", sizeof("female,Việt Nam,") - 1);
	else
		out_raw(g, "male,Việt Nam,", sizeof("male,Việt Nam,") - 1);
	f.n = 0;
	prov = rng_below(&g->rng, 100) < 85 ? p.prov : draw_province(g);
	put_origin(g, &f, prov);
	out_field(g, f.b, f.n, ',');
	f.n = 0;
	prov = rng_below(&g->rng, 100) < 72 ? p.prov : draw_province(g);
	put_residence(g, &f, prov);
	out_field(g, f.b, f.n, ',');
	out_field(g, p.id, sizeof(p.id), ',');
	out_date(g, p.issued, ',');
	out_date(g, p.expires, ',');
	if (rng_below(&g->rng, 10000) < DECEASED_PER_10K)
		out_raw(g, "deceased\n", 9);
	else
		out_raw(g, "living\n", 7);
	return 0;
}

int
regen_write_csv(FILE *out, uint64_t count, uint64_t seed)
{
	struct regen *g = calloc(1, sizeof(*g));
	int rc = -1;

	if (g == NULL || out == NULL || setup(g, out, seed) != 0)
		goto done;
	if (count > (uint64_t)bucket_count(g) * SERIALS) {
		errno = EOVERFLOW;
		goto done;
	}
	g->used = calloc(bucket_count(g), sizeof(*g->used));
	if (g->used == NULL)
		goto done;
	out_raw(g, csv_header, sizeof(csv_header) - 1);
	for (uint64_t i = 0; i < count && !g->failed; i++) {
		if (write_person(g) != 0)
			goto done;
		if (g->len > sizeof(g->buf) - ROW_MAX)
			flush_buf(g);
	}
	flush_buf(g);
	if (!g->failed && fflush(out) == 0 && !ferror(out))
		rc = 0;
done:
	if (g != NULL)
		free(g->used);
	free(g);
	return rc;
}
