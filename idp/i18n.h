/*
 * i18n: the two page languages (Vietnamese, the default, and English), the
 * choice between them from the `lang` cookie and Accept-Language, and every
 * text the citizen pages show, as one const table. Owns no state.
 *
 * A few texts are printf formats; their comments below say so and name the
 * one argument they take (%s or %ld). Every other text holds no '%' and is
 * plain text: escape it (html_text) like any other string.
 */
#ifndef IDP_I18N_H
#define IDP_I18N_H

#include "base.h"

enum lang { LANG_VI = 0, LANG_EN = 1 };
#define LANG_COUNT 2

enum msg {
	/* Page titles and headings. */
	MSG_TITLE_REGISTER,
	MSG_TITLE_REGISTER_CODE,
	MSG_TITLE_LOGIN,
	MSG_TITLE_LOGIN_CODE,
	MSG_TITLE_ACCOUNT,
	MSG_TITLE_TOTP,
	MSG_TITLE_FORGOT,
	MSG_TITLE_RESET,
	MSG_TITLE_LOCK,
	MSG_TITLE_UNLOCK,
	MSG_TITLE_SIGNED_OUT,
	MSG_TITLE_CREATED,
	MSG_TITLE_ERROR,
	MSG_TITLE_NOT_FOUND,
	MSG_TITLE_HOME,

	/* Short explanations under a heading. */
	MSG_INTRO_REGISTER,
	MSG_INTRO_FORGOT,
	MSG_INTRO_LOCK,
	MSG_INTRO_UNLOCK,
	MSG_TOTP_SCAN,
	MSG_TOTP_KEY,

	/* Page frame: this language's own name (the switch link shows the
	 * other language's), the footer line. */
	MSG_LANG_NAME,
	MSG_FOOTER,

	/* Field labels and hints. */
	MSG_LABEL_PERSONAL_ID,
	MSG_HINT_PERSONAL_ID,
	MSG_LABEL_FULL_NAME,
	MSG_HINT_FULL_NAME,
	MSG_LABEL_BIRTH_DATE,
	MSG_HINT_BIRTH_DATE,
	MSG_LABEL_PHONE,
	MSG_HINT_PHONE,
	MSG_LABEL_PASSWORD,
	MSG_HINT_PASSWORD,
	MSG_LABEL_NEW_PASSWORD,
	MSG_LABEL_CODE,
	MSG_HINT_CODE,
	MSG_HINT_SMS_CODE,	/* format: one %s, the masked phone */
	MSG_HINT_TOTP_CODE,

	/* Buttons. */
	MSG_BTN_REGISTER,
	MSG_BTN_CONTINUE,
	MSG_BTN_SIGN_IN,
	MSG_BTN_CONFIRM,
	MSG_BTN_RESEND,
	MSG_BTN_SIGN_OUT,
	MSG_BTN_ENABLE_TOTP,
	MSG_BTN_LOCK,
	MSG_BTN_UNLOCK,
	MSG_BTN_RESET,
	MSG_BTN_BACK,

	/* Account page. */
	MSG_ACC_FULL_NAME,
	MSG_ACC_PERSONAL_ID,
	MSG_ACC_BIRTH_DATE,
	MSG_ACC_PHONE,
	MSG_ACC_RESIDENCE,
	MSG_ACC_LEVEL,
	MSG_ACC_LEVEL_1,
	MSG_ACC_LEVEL_2,
	MSG_ACC_STATUS,
	MSG_ACC_STATUS_ACTIVE,
	MSG_ACC_STATUS_LOCKED,
	MSG_ACC_STATUS_DISABLED,
	MSG_ACC_TWO_STEP,
	MSG_ACC_TWO_STEP_SMS,
	MSG_ACC_TWO_STEP_TOTP,
	MSG_ACC_HISTORY,
	MSG_ACC_NO_HISTORY,
	MSG_ACC_TIME,
	MSG_ACC_RESULT,
	MSG_ACC_METHOD,
	MSG_ACC_ADDRESS,
	MSG_ACC_SUCCESS,
	MSG_ACC_FAILURE,
	MSG_METHOD_PWD,		/* sign-in methods as stored: pwd */
	MSG_METHOD_PWD_SMS,	/* pwd+sms */
	MSG_METHOD_PWD_TOTP,	/* pwd+totp */
	MSG_ACC_DEVICES,	/* the app devices bound to the account */
	MSG_ACC_NO_DEVICES,
	MSG_ACC_DEVICE_NAME,
	MSG_ACC_DEVICE_ADDED,
	MSG_ACC_DEVICE_LAST_USED,
	MSG_BTN_REVOKE_DEVICE,
	MSG_NOTE_DEVICE_REVOKED,

	/* Errors. */
	MSG_ERR_REQUIRED,
	MSG_ERR_PERSONAL_ID,
	MSG_ERR_FULL_NAME,
	MSG_ERR_BIRTH_DATE,
	MSG_ERR_PHONE,
	MSG_ERR_PASSWORD_SHORT,
	MSG_ERR_PASSWORD_LONG,
	MSG_ERR_PASSWORD_COMMON,
	MSG_ERR_PASSWORD_PERSONAL,
	MSG_ERR_CREDENTIALS,
	MSG_ERR_CODE_WRONG,
	MSG_ERR_CODE_EXPIRED,
	MSG_ERR_CODE_TOO_MANY,
	MSG_ERR_TOO_MANY_ATTEMPTS,	/* format: one %ld, seconds to wait */
	MSG_ERR_NETWORK_LIMIT,		/* format: one %ld, seconds to wait */
	MSG_ERR_RESEND_WAIT,		/* format: one %ld, seconds to wait */
	MSG_ERR_PHONE_LIMIT,
	MSG_ERR_LOCKED,
	MSG_ERR_DISABLED,
	MSG_ERR_SESSION_EXPIRED,
	MSG_ERR_CSRF,
	MSG_ERR_FLOW_EXPIRED,
	MSG_ERR_INTERNAL,
	MSG_ERR_BUSY,
	MSG_ERR_NOT_FOUND,
	MSG_ERR_BAD_FORM,
	MSG_ERR_EXISTS,

	/* Notices. */
	MSG_NOTE_CODE_SENT,	/* the same whether or not the details matched */
	MSG_NOTE_CREATED,
	MSG_NOTE_TOTP_ENABLED,
	MSG_NOTE_LOCKED,
	MSG_NOTE_UNLOCKED,
	MSG_NOTE_PASSWORD_CHANGED,
	MSG_NOTE_SIGNED_OUT,

	/* Link texts. */
	MSG_LINK_REGISTER,
	MSG_LINK_FORGOT,
	MSG_LINK_LOCK,
	MSG_LINK_UNLOCK,
	MSG_LINK_SIGN_IN,
	MSG_LINK_HOME,

	/* OpenID Connect pages: consent, sign-out confirmation, errors. */
	MSG_TITLE_CONSENT,
	MSG_INTRO_CONSENT,
	MSG_CONSENT_SERVICE,
	MSG_CONSENT_RECEIVES,
	MSG_CONSENT_NOTE,
	MSG_SCOPE_OPENID,
	MSG_SCOPE_PROFILE,
	MSG_SCOPE_PERSONAL_ID,
	MSG_SCOPE_ADDRESS,
	MSG_SCOPE_PHONE,
	MSG_SCOPE_OFFLINE,
	MSG_BTN_ALLOW,
	MSG_BTN_DENY,
	MSG_TITLE_LOGOUT,
	MSG_INTRO_LOGOUT,
	MSG_INTRO_LOGOUT_RETURN,
	MSG_LINK_CANCEL,
	MSG_TITLE_OIDC_ERROR,
	MSG_OIDC_ERR_CLIENT,	/* invalid_client */
	MSG_OIDC_ERR_REQUEST,	/* invalid_request */
	MSG_OIDC_ERR_OTHER,	/* any other code */
	MSG_OIDC_ERR_DETAILS,

	/* QR sign-in on the login page (pages_qr). */
	MSG_QR_TITLE,
	MSG_QR_INTRO,
	MSG_QR_LABEL,		/* the QR code's accessible name */
	MSG_QR_OPEN_APP,
	MSG_QR_BTN_DONE,
	MSG_QR_DENIED,
	MSG_QR_EXPIRED,
	MSG_QR_PENDING,
	MSG_QR_NEW,
	MSG_METHOD_SWK,		/* sign-in method as stored: swk (the app's key) */
	MSG_DATA_CONSENTS,	/* account page: the portals the citizen allowed */
	MSG_DATA_NO_CONSENTS,
	MSG_DATA_SERVICE,
	MSG_DATA_SCOPES,
	MSG_DATA_SINCE,
	MSG_BTN_REVOKE_CONSENT,
	MSG_NOTE_CONSENT_REVOKED,
	MSG_DATA_DISCLOSURES,	/* account page: the disclosure log */
	MSG_DATA_NO_DISCLOSURES,
	MSG_DATA_ATTRIBUTES,
	MSG_DATA_CHANNEL,
	MSG_DATA_FILTER,
	MSG_DATA_ALL_SERVICES,
	MSG_DATA_NEWER,
	MSG_DATA_OLDER,

	MSG_ACC_LEVEL_HOW_1,
	MSG_ACC_LEVEL_HOW_2,
	MSG_ACC_ENROLLED_AT,
	MSG_SEC_HEADING,
	MSG_SEC_REAUTH_HINT,
	MSG_SEC_NEW_PASSWORD,
	MSG_BTN_CHANGE_PASSWORD,
	MSG_NOTE_PASSWORD_UPDATED,
	MSG_BTN_REMOVE_TOTP,
	MSG_NOTE_TOTP_REMOVED,
	MSG_DATA_EXPORT,
	MSG_DATA_EXPORT_HINT,
	MSG_BTN_EXPORT,

	MSG_COUNT
};

/*
 * The page language: the cookie when it is "vi" or "en" (any case), else
 * English when the first Accept-Language tag is "en" or "en-…", else
 * Vietnamese. Either argument may be NULL.
 */
enum lang i18n_pick(const char *cookie, const char *accept_language);

/* "vi" or "en" (also the cookie value and the html lang attribute). */
const char *i18n_code(enum lang);

/* The text of `m` in `lang`; never NULL ("" for an out-of-range m). */
const char *i18n(enum lang, enum msg m);

#endif
