/*
 * test_password: Argon2id hashing (round trip, parameters, rehash) and the
 * password policy (length in characters, UTF-8, common list, personal data).
 */
#include "password.h"

#include "t.h"

#define PID "001090012345"
#define BD "1990-03-15"
#define NAME "Nguyễn Văn An"

static int check(const char *pw)
{
	char reason[160];
	int r = password_check(pw, PID, BD, NAME, reason, sizeof(reason));
	if ((r == PW_OK) != (reason[0] == '\0'))
		return -100; /* a refusal always says why, an acceptance never does */
	return r;
}

TEST(hash_round_trip)
{
	char h[crypto_pwhash_STRBYTES];

	CHECK_EQ_INT(password_hash("mây trắng bay qua đồi", h), 0);
	CHECK_EQ_INT(password_verify(h, "mây trắng bay qua đồi"), 0);
	CHECK_EQ_INT(password_verify(h, "mây trắng bay qua đồi!"), -1);
	CHECK_EQ_INT(password_verify(h, ""), -1);
	CHECK_EQ_INT(password_verify("not a hash", "x"), -1);
	CHECK(strncmp(h, "$argon2id$v=19$m=47104,t=2,p=1$", 31) == 0);
}

TEST(hash_is_salted)
{
	char a[crypto_pwhash_STRBYTES], b[crypto_pwhash_STRBYTES];

	CHECK_EQ_INT(password_hash("same password here", a), 0);
	CHECK_EQ_INT(password_hash("same password here", b), 0);
	CHECK(strcmp(a, b) != 0);
}

TEST(needs_rehash)
{
	char h[crypto_pwhash_STRBYTES], weak[crypto_pwhash_STRBYTES];

	CHECK_EQ_INT(password_hash("a fresh password", h), 0);
	CHECK(!password_needs_rehash(h));
	CHECK_EQ_INT(crypto_pwhash_str_alg(weak, "a fresh password", 16,
	    crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN,
	    crypto_pwhash_ALG_ARGON2ID13), 0);
	CHECK(password_needs_rehash(weak));
	CHECK_EQ_INT(password_verify(weak, "a fresh password"), 0);
	CHECK(password_needs_rehash("garbage"));
}

TEST(length_in_characters)
{
	char buf[200];

	CHECK_EQ_INT(check("zq7#Lm2"), PW_TOO_SHORT);
	CHECK_EQ_INT(check("zq7#Lm2x"), PW_OK);
	buf[0] = '\0';
	for (int i = 0; i < 16; i++)
		strcat(buf, "zq7#Lm2x");
	CHECK_EQ_INT(strlen(buf), 128);
	CHECK_EQ_INT(check(buf), PW_OK);
	strcat(buf, "y");
	CHECK_EQ_INT(check(buf), PW_TOO_LONG);
	/* 8 characters in 23 bytes: accepted; 7 in 20 bytes: too short */
	CHECK_EQ_INT(strlen("ửỡộịếẫầđ"), 23);
	CHECK_EQ_INT(check("ửỡộịếẫầđ"), PW_OK);
	CHECK_EQ_INT(check("ửỡộịếẫầ"), PW_TOO_SHORT);
	CHECK_EQ_INT(check(""), PW_TOO_SHORT);
}

TEST(invalid_utf8)
{
	CHECK_EQ_INT(check("abcdefgh\xff"), PW_NOT_UTF8);
	CHECK_EQ_INT(check("\xc0\xafzq7#Lm2x"), PW_NOT_UTF8);
	CHECK_EQ_INT(check("zq7#Lm2x\xed\xa0\x80"), PW_NOT_UTF8); /* surrogate */
	CHECK_EQ_INT(password_check(NULL, NULL, NULL, NULL, NULL, 0), PW_NOT_UTF8);
}

TEST(common_passwords)
{
	CHECK(password_common_count() >= 10000);
	CHECK_EQ_INT(check("matkhau123"), PW_COMMON);
	CHECK_EQ_INT(check("MatKhau123"), PW_COMMON);
	CHECK_EQ_INT(check("matkhau@123"), PW_COMMON);
	CHECK_EQ_INT(check("password"), PW_COMMON);
	CHECK_EQ_INT(check("PASSWORD"), PW_COMMON);
	CHECK_EQ_INT(check("12345678"), PW_COMMON);
	CHECK_EQ_INT(check("123456789"), PW_COMMON);
	CHECK_EQ_INT(check("iloveyou"), PW_COMMON);
	CHECK_EQ_INT(check("anhyeuem"), PW_COMMON);
	CHECK_EQ_INT(check("vietnam123"), PW_COMMON);
	CHECK_EQ_INT(check("Em Yêu Anh"), PW_COMMON);
	CHECK_EQ_INT(check("em yeu anh"), PW_COMMON);  /* folded */
	CHECK_EQ_INT(check("MậtKhẩu123"), PW_COMMON); /* folded */
	CHECK(password_is_common("Passw0rd"));
	CHECK(!password_is_common("zq7#Lm2x"));
	CHECK(!password_is_common("\xff\xfe"));
}

TEST(personal_id)
{
	CHECK_EQ_INT(check("xy" PID "!"), PW_PERSONAL);
	CHECK_EQ_INT(check("kiwi012345!"), PW_PERSONAL);   /* last 6 digits */
	CHECK_EQ_INT(check("kiwi9012345!"), PW_PERSONAL);  /* last 7 */
	CHECK_EQ_INT(check("kiwi01234!x"), PW_OK);
}

TEST(personal_birth_date)
{
	CHECK_EQ_INT(check("xx19900315"), PW_PERSONAL);   /* YYYYMMDD */
	CHECK_EQ_INT(check("15031990ab"), PW_PERSONAL);   /* DDMMYYYY */
	CHECK_EQ_INT(check("kiwi15/03/1990"), PW_PERSONAL);
	CHECK_EQ_INT(check("Hello150390"), PW_PERSONAL);  /* DDMMYY */
	CHECK_EQ_INT(check("a1990-03-15z"), PW_PERSONAL); /* YYYY-MM-DD */
	CHECK_EQ_INT(check("kiwi15.03.1990"), PW_PERSONAL);
	CHECK_EQ_INT(check("kiwi19900316"), PW_OK);
}

TEST(personal_name)
{
	char reason[160];

	CHECK_EQ_INT(check("nguyenvanan2024"), PW_PERSONAL);
	CHECK_EQ_INT(check("NguyễnVănAn!"), PW_PERSONAL);
	CHECK_EQ_INT(check("Nguyen Van An 99"), PW_PERSONAL);
	CHECK_EQ_INT(check("x.nguyen.van.an"), PW_PERSONAL);
	CHECK_EQ_INT(check("AnNguyenVan#7"), PW_PERSONAL);   /* western order */
	CHECK_EQ_INT(check("an1990kiwi"), PW_PERSONAL);      /* given + year */
	CHECK_EQ_INT(check("kiwi1990An"), PW_PERSONAL);      /* year + given */
	CHECK_EQ_INT(check("annguyen123"), PW_OK);
	CHECK_EQ_INT(password_check("Dangthidao#1", NULL, NULL, "Đặng Thị Đào",
	    reason, sizeof(reason)), PW_PERSONAL);          /* đ -> d */
	CHECK(strstr(reason, "name") != NULL);
	/* without personal data the same passwords pass */
	CHECK_EQ_INT(password_check("nguyenvanan2024", NULL, NULL, NULL,
	    reason, sizeof(reason)), PW_OK);
	CHECK_EQ_INT(password_check("nguyenvanan2024", "", "", "", NULL, 0), PW_OK);
}

TEST(good_passphrase)
{
	char reason[160] = "x";

	CHECK_EQ_INT(check("mây trắng bay qua đồi thông 7"), PW_OK);
	CHECK_EQ_INT(password_check("Tháng Bảy mưa ngâu, 2 cốc trà", PID, BD, NAME,
	    reason, sizeof(reason)), PW_OK);
	CHECK_STR(reason, "");
}

T_MAIN(T(hash_round_trip), T(hash_is_salted), T(needs_rehash),
    T(length_in_characters), T(invalid_utf8), T(common_passwords),
    T(personal_id), T(personal_birth_date), T(personal_name),
    T(good_passphrase))
