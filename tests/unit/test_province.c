/*
 * test_province: unit tests for the province code table (province): the 63
 * codes of /work/shared/data/province-codes.csv with their exact names, in
 * order, and codes that are not in the list.
 */
#include "t.h"

#include "base.h"
#include "province.h"

/* Copied from shared/data/province-codes.csv (code,province). */
static const struct {
	const char *code, *name;
} expected[] = {
	{ "001", "Hà Nội" },
	{ "002", "Hà Giang" },
	{ "004", "Cao Bằng" },
	{ "006", "Bắc Kạn" },
	{ "008", "Tuyên Quang" },
	{ "010", "Lào Cai" },
	{ "011", "Điện Biên" },
	{ "012", "Lai Châu" },
	{ "014", "Sơn La" },
	{ "015", "Yên Bái" },
	{ "017", "Hòa Bình" },
	{ "019", "Thái Nguyên" },
	{ "020", "Lạng Sơn" },
	{ "022", "Quảng Ninh" },
	{ "024", "Bắc Giang" },
	{ "025", "Phú Thọ" },
	{ "026", "Vĩnh Phúc" },
	{ "027", "Bắc Ninh" },
	{ "030", "Hải Dương" },
	{ "031", "Hải Phòng" },
	{ "033", "Hưng Yên" },
	{ "034", "Thái Bình" },
	{ "035", "Hà Nam" },
	{ "036", "Nam Định" },
	{ "037", "Ninh Bình" },
	{ "038", "Thanh Hóa" },
	{ "040", "Nghệ An" },
	{ "042", "Hà Tĩnh" },
	{ "044", "Quảng Bình" },
	{ "045", "Quảng Trị" },
	{ "046", "Thừa Thiên Huế" },
	{ "048", "Đà Nẵng" },
	{ "049", "Quảng Nam" },
	{ "051", "Quảng Ngãi" },
	{ "052", "Bình Định" },
	{ "054", "Phú Yên" },
	{ "056", "Khánh Hòa" },
	{ "058", "Ninh Thuận" },
	{ "060", "Bình Thuận" },
	{ "062", "Kon Tum" },
	{ "064", "Gia Lai" },
	{ "066", "Đắk Lắk" },
	{ "067", "Đắk Nông" },
	{ "068", "Lâm Đồng" },
	{ "070", "Bình Phước" },
	{ "072", "Tây Ninh" },
	{ "074", "Bình Dương" },
	{ "075", "Đồng Nai" },
	{ "077", "Bà Rịa - Vũng Tàu" },
	{ "079", "Hồ Chí Minh" },
	{ "080", "Long An" },
	{ "082", "Tiền Giang" },
	{ "083", "Bến Tre" },
	{ "084", "Trà Vinh" },
	{ "086", "Vĩnh Long" },
	{ "087", "Đồng Tháp" },
	{ "089", "An Giang" },
	{ "091", "Kiên Giang" },
	{ "092", "Cần Thơ" },
	{ "093", "Hậu Giang" },
	{ "094", "Sóc Trăng" },
	{ "095", "Bạc Liêu" },
	{ "096", "Cà Mau" },
};

TEST(count_is_63)
{
	CHECK_EQ_INT(province_count(), 63);
	CHECK_EQ_INT(ARRAY_LEN(expected), 63);
}

TEST(every_code_found_with_its_name)
{
	for (size_t i = 0; i < ARRAY_LEN(expected); i++) {
		const char *name = province_lookup(expected[i].code);
		if (name == NULL || strcmp(name, expected[i].name) != 0)
			fprintf(stderr, "  code %s\n", expected[i].code);
		CHECK_STR(name, expected[i].name);
	}
}

TEST(table_order_matches_the_list)
{
	/* province_code(i)/province_name(i) enumerate the same 63, sorted. */
	for (size_t i = 0; i < ARRAY_LEN(expected); i++) {
		CHECK_STR(province_code(i), expected[i].code);
		CHECK_STR(province_name(i), expected[i].name);
		if (i > 0)
			CHECK(strcmp(province_code(i - 1), province_code(i)) < 0);
	}
	CHECK(province_code(63) == NULL);
	CHECK(province_name(63) == NULL);
	CHECK(province_code((size_t)-1) == NULL);
}

TEST(unknown_codes_are_null)
{
	static const char *const bad[] = {
		"000", "003", "005", "097", "999", "01", "", "0", "100", "abc",
		"00a", "-01", "018", "098",
	};

	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		if (province_lookup(bad[i]) != NULL)
			fprintf(stderr, "  code \"%s\" was found\n", bad[i]);
		CHECK(province_lookup(bad[i]) == NULL);
	}
	CHECK(province_lookup(NULL) == NULL);
}

TEST(lookup_reads_only_three_characters)
{
	/* The first three digits of a personal ID select the province. */
	CHECK_STR(province_lookup("001012345678"), "Hà Nội");
	CHECK_STR(province_lookup("096"), "Cà Mau");
	CHECK_STR(province_lookup("079203000001"), "Hồ Chí Minh");
}

T_MAIN(T(count_is_63), T(every_code_found_with_its_name),
    T(table_order_matches_the_list), T(unknown_codes_are_null),
    T(lookup_reads_only_three_characters))
