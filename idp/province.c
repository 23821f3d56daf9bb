/*
 * province: the province codes of birth registration used in the first three
 * digits of a personal identification number (Circular 59/2021/TT-BCA).
 */
#include "province.h"

#include <string.h>

struct province {
	char code[4];
	const char *name;
};

static const struct province provinces[] = {
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

size_t
province_count(void)
{
	return sizeof(provinces) / sizeof(provinces[0]);
}

const char *
province_code(size_t i)
{
	return i < province_count() ? provinces[i].code : NULL;
}

const char *
province_name(size_t i)
{
	return i < province_count() ? provinces[i].name : NULL;
}

const char *
province_lookup(const char *code3)
{
	/* The table is sorted by code. */
	size_t lo = 0, hi = province_count();

	if (code3 == NULL)
		return NULL;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		/* strncmp: a shorter string ("01") is not read past its end. */
		int c = strncmp(code3, provinces[mid].code, 3);
		if (c == 0)
			return provinces[mid].name;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}
