/*
 * i18n: the language choice and the Vietnamese and English page texts.
 */
#include "i18n.h"

#include <stddef.h>
#include <strings.h>

/* Indexed by enum msg, then enum lang: { Vietnamese, English }. */
static const char *const TEXTS[][LANG_COUNT] = {
	[MSG_TITLE_REGISTER] = { "Đăng ký tài khoản định danh điện tử",
	    "Create an electronic identity account" },
	[MSG_TITLE_REGISTER_CODE] = { "Xác nhận số điện thoại",
	    "Confirm your phone number" },
	[MSG_TITLE_LOGIN] = { "Đăng nhập", "Sign in" },
	[MSG_TITLE_LOGIN_CODE] = { "Nhập mã xác thực",
	    "Enter your verification code" },
	[MSG_TITLE_ACCOUNT] = { "Tài khoản của tôi", "My account" },
	[MSG_TITLE_TOTP] = { "Bật ứng dụng xác thực",
	    "Set up an authenticator app" },
	[MSG_TITLE_FORGOT] = { "Quên mật khẩu", "Forgot your password" },
	[MSG_TITLE_RESET] = { "Đặt lại mật khẩu", "Reset your password" },
	[MSG_TITLE_LOCK] = { "Khóa tài khoản", "Lock your account" },
	[MSG_TITLE_UNLOCK] = { "Mở khóa tài khoản", "Unlock your account" },
	[MSG_TITLE_SIGNED_OUT] = { "Đã đăng xuất", "Signed out" },
	[MSG_TITLE_CREATED] = { "Đã tạo tài khoản", "Account created" },
	[MSG_TITLE_ERROR] = { "Đã có lỗi xảy ra", "Something went wrong" },
	[MSG_TITLE_NOT_FOUND] = { "Không tìm thấy trang", "Page not found" },
	[MSG_TITLE_HOME] = { "Định danh và xác thực điện tử",
	    "Electronic identification and authentication" },

	[MSG_INTRO_REGISTER] = { "Nhập thông tin như trên thẻ căn cước và số "
	    "điện thoại di động của bạn. Chúng tôi sẽ gửi mã xác thực qua SMS "
	    "để xác nhận.",
	    "Enter your details as on your ID card and your mobile phone "
	    "number. We will send a code by SMS to confirm them." },
	[MSG_INTRO_FORGOT] = { "Nhập số định danh cá nhân và số điện thoại đã "
	    "đăng ký. Chúng tôi sẽ gửi mã xác thực qua SMS để bạn đặt mật khẩu "
	    "mới.",
	    "Enter your personal ID number and your registered phone number. "
	    "We will send a code by SMS so you can choose a new password." },
	[MSG_INTRO_LOCK] = { "Nếu bạn bị mất điện thoại, hãy khóa tài khoản "
	    "ngay. Mọi phiên đăng nhập sẽ kết thúc và không ai đăng nhập được "
	    "cho đến khi bạn mở khóa.",
	    "If you have lost your phone, lock your account now. Every session "
	    "ends and nobody can sign in until you unlock it." },
	[MSG_INTRO_UNLOCK] = { "Để mở khóa, nhập số định danh cá nhân và mật "
	    "khẩu; sau đó nhập mã xác thực gửi qua SMS.",
	    "To unlock, enter your personal ID number and password, then the "
	    "code we send by SMS." },
	[MSG_TOTP_SCAN] = { "Quét mã QR bằng ứng dụng xác thực, rồi nhập mã "
	    "gồm 6 chữ số mà ứng dụng hiển thị.",
	    "Scan the QR code with your authenticator app, then enter the "
	    "6-digit code it shows." },
	[MSG_TOTP_KEY] = { "Nếu không quét được mã QR, hãy nhập khóa này vào "
	    "ứng dụng:",
	    "If you cannot scan the QR code, enter this key in the app:" },

	[MSG_LANG_NAME] = { "Tiếng Việt", "English" },
	[MSG_FOOTER] = { "Dịch vụ định danh và xác thực điện tử",
	    "Electronic identification and authentication service" },

	[MSG_LABEL_PERSONAL_ID] = { "Số định danh cá nhân",
	    "Personal identification number" },
	[MSG_HINT_PERSONAL_ID] = { "Gồm 12 chữ số, in trên thẻ căn cước.",
	    "12 digits, printed on your ID card." },
	[MSG_LABEL_FULL_NAME] = { "Họ, chữ đệm và tên", "Full name" },
	[MSG_HINT_FULL_NAME] = { "Ghi đúng như trên thẻ căn cước.",
	    "Exactly as on your ID card." },
	[MSG_LABEL_BIRTH_DATE] = { "Ngày sinh", "Date of birth" },
	[MSG_HINT_BIRTH_DATE] = { "Theo dạng năm-tháng-ngày (YYYY-MM-DD), ví "
	    "dụ 1990-05-21.",
	    "As YYYY-MM-DD, for example 1990-05-21." },
	[MSG_LABEL_PHONE] = { "Số điện thoại di động", "Mobile phone number" },
	[MSG_HINT_PHONE] = { "Dạng 0xxxxxxxxx hoặc +84xxxxxxxxx.",
	    "As 0xxxxxxxxx or +84xxxxxxxxx." },
	[MSG_LABEL_PASSWORD] = { "Mật khẩu", "Password" },
	[MSG_HINT_PASSWORD] = { "Ít nhất 8 ký tự. Tránh các mật khẩu phổ biến "
	    "và đừng dùng số định danh, ngày sinh hay họ tên của bạn.",
	    "At least 8 characters. Avoid common passwords, and do not use "
	    "your ID number, birth date or name." },
	[MSG_LABEL_NEW_PASSWORD] = { "Mật khẩu mới", "New password" },
	[MSG_LABEL_CODE] = { "Mã xác thực", "One-time code" },
	[MSG_HINT_CODE] = { "Gồm 6 chữ số.", "6 digits." },
	[MSG_HINT_SMS_CODE] = { "Chúng tôi đã gửi mã gồm 6 chữ số qua SMS đến "
	    "số %s.",
	    "We sent a 6-digit code by SMS to %s." },
	[MSG_HINT_TOTP_CODE] = { "Nhập mã gồm 6 chữ số đang hiển thị trong ứng "
	    "dụng xác thực của bạn.",
	    "Enter the 6-digit code shown in your authenticator app." },

	[MSG_BTN_REGISTER] = { "Đăng ký", "Register" },
	[MSG_BTN_CONTINUE] = { "Tiếp tục", "Continue" },
	[MSG_BTN_SIGN_IN] = { "Đăng nhập", "Sign in" },
	[MSG_BTN_CONFIRM] = { "Xác nhận", "Confirm" },
	[MSG_BTN_RESEND] = { "Gửi lại mã", "Resend code" },
	[MSG_BTN_SIGN_OUT] = { "Đăng xuất", "Sign out" },
	[MSG_BTN_ENABLE_TOTP] = { "Bật ứng dụng xác thực",
	    "Enable authenticator app" },
	[MSG_BTN_LOCK] = { "Khóa tài khoản của tôi", "Lock my account" },
	[MSG_BTN_UNLOCK] = { "Mở khóa", "Unlock" },
	[MSG_BTN_RESET] = { "Đặt lại mật khẩu", "Reset password" },
	[MSG_BTN_BACK] = { "Quay lại", "Back" },

	[MSG_ACC_FULL_NAME] = { "Họ và tên", "Full name" },
	[MSG_ACC_PERSONAL_ID] = { "Số định danh cá nhân", "Personal ID number" },
	[MSG_ACC_BIRTH_DATE] = { "Ngày sinh", "Date of birth" },
	[MSG_ACC_PHONE] = { "Số điện thoại", "Phone" },
	[MSG_ACC_RESIDENCE] = { "Nơi cư trú", "Place of residence" },
	[MSG_ACC_LEVEL] = { "Mức độ tài khoản", "Account level" },
	[MSG_ACC_LEVEL_1] = { "Mức 1", "Level 1" },
	[MSG_ACC_LEVEL_2] = { "Mức 2", "Level 2" },
	[MSG_ACC_STATUS] = { "Trạng thái", "Status" },
	[MSG_ACC_STATUS_ACTIVE] = { "Đang hoạt động", "Active" },
	[MSG_ACC_STATUS_LOCKED] = { "Đã khóa", "Locked" },
	[MSG_ACC_STATUS_DISABLED] = { "Đã vô hiệu hóa", "Disabled" },
	[MSG_ACC_TWO_STEP] = { "Xác thực hai bước", "Two-step verification" },
	[MSG_ACC_TWO_STEP_SMS] = { "Mã qua SMS", "Code by SMS" },
	[MSG_ACC_TWO_STEP_TOTP] = { "Ứng dụng xác thực", "Authenticator app" },
	[MSG_ACC_HISTORY] = { "Lịch sử đăng nhập", "Sign-in history" },
	[MSG_ACC_NO_HISTORY] = { "Chưa có lần đăng nhập nào.",
	    "No sign-ins yet." },
	[MSG_ACC_TIME] = { "Thời gian", "Time" },
	[MSG_ACC_RESULT] = { "Kết quả", "Result" },
	[MSG_ACC_METHOD] = { "Phương thức", "Method" },
	[MSG_ACC_ADDRESS] = { "Địa chỉ IP", "IP address" },
	[MSG_ACC_SUCCESS] = { "Thành công", "Success" },
	[MSG_ACC_FAILURE] = { "Không thành công", "Failed" },
	[MSG_METHOD_PWD] = { "Mật khẩu", "Password" },
	[MSG_METHOD_PWD_SMS] = { "Mật khẩu và mã SMS", "Password and SMS code" },
	[MSG_METHOD_PWD_TOTP] = { "Mật khẩu và ứng dụng xác thực",
	    "Password and authenticator app" },
	[MSG_ACC_DEVICES] = { "Thiết bị đã liên kết", "Linked devices" },
	[MSG_ACC_NO_DEVICES] = { "Chưa có thiết bị nào được liên kết với tài khoản.",
	    "No device is linked to the account." },
	[MSG_ACC_DEVICE_NAME] = { "Tên thiết bị", "Device name" },
	[MSG_ACC_DEVICE_ADDED] = { "Ngày thêm", "Added" },
	[MSG_ACC_DEVICE_LAST_USED] = { "Lần dùng gần nhất", "Last used" },
	[MSG_BTN_REVOKE_DEVICE] = { "Thu hồi", "Revoke" },
	[MSG_NOTE_DEVICE_REVOKED] = { "Đã thu hồi thiết bị. Thiết bị đó không "
	    "thể dùng tài khoản này nữa.",
	    "The device was revoked. It can no longer use this account." },

	[MSG_ERR_REQUIRED] = { "Vui lòng điền đầy đủ các ô bắt buộc.",
	    "Please fill in every required field." },
	[MSG_ERR_PERSONAL_ID] = { "Số định danh cá nhân phải gồm đúng 12 chữ "
	    "số.",
	    "The personal ID number must be exactly 12 digits." },
	[MSG_ERR_FULL_NAME] = { "Họ và tên còn trống hoặc quá dài. Hãy nhập "
	    "đúng như trên thẻ căn cước.",
	    "The full name is missing or too long. Enter it exactly as on your "
	    "ID card." },
	[MSG_ERR_BIRTH_DATE] = { "Ngày sinh phải là một ngày có thật, theo dạng "
	    "năm-tháng-ngày (YYYY-MM-DD).",
	    "The date of birth must be a real date written as YYYY-MM-DD." },
	[MSG_ERR_PHONE] = { "Đây không phải số điện thoại di động Việt Nam. Hãy "
	    "nhập dạng 0xxxxxxxxx hoặc +84xxxxxxxxx.",
	    "This is not a Vietnamese mobile number. Enter it as 0xxxxxxxxx or "
	    "+84xxxxxxxxx." },
	[MSG_ERR_PASSWORD_SHORT] = { "Mật khẩu quá ngắn: cần ít nhất 8 ký tự.",
	    "The password is too short: use at least 8 characters." },
	[MSG_ERR_PASSWORD_LONG] = { "Mật khẩu quá dài: tối đa 128 ký tự.",
	    "The password is too long: use at most 128 characters." },
	[MSG_ERR_PASSWORD_COMMON] = { "Mật khẩu này quá phổ biến nên dễ bị đoán. "
	    "Hãy chọn mật khẩu khác.",
	    "This password is too common and easy to guess. Choose another "
	    "one." },
	[MSG_ERR_PASSWORD_PERSONAL] = { "Mật khẩu không được dựa trên số định "
	    "danh, ngày sinh hay họ tên của bạn.",
	    "The password must not be built from your ID number, birth date or "
	    "name." },
	[MSG_ERR_CREDENTIALS] = { "Số định danh cá nhân hoặc mật khẩu không "
	    "đúng.",
	    "The personal ID number or the password is wrong." },
	[MSG_ERR_CODE_WRONG] = { "Mã xác thực không đúng.",
	    "The code is wrong." },
	[MSG_ERR_CODE_EXPIRED] = { "Mã xác thực đã hết hạn. Hãy yêu cầu mã "
	    "mới.",
	    "The code has expired. Request a new one." },
	[MSG_ERR_CODE_TOO_MANY] = { "Bạn đã nhập sai mã quá nhiều lần. Vui lòng "
	    "bắt đầu lại.",
	    "Too many wrong codes. Please start again." },
	[MSG_ERR_TOO_MANY_ATTEMPTS] = { "Bạn đã thử quá nhiều lần. Vui lòng chờ "
	    "%ld giây rồi thử lại.",
	    "Too many attempts. Please wait %ld seconds and try again." },
	[MSG_ERR_NETWORK_LIMIT] = { "Có quá nhiều yêu cầu từ mạng của bạn. Vui "
	    "lòng chờ %ld giây rồi thử lại.",
	    "Too many requests from your network. Please wait %ld seconds and "
	    "try again." },
	[MSG_ERR_RESEND_WAIT] = { "Bạn có thể yêu cầu gửi mã mới sau %ld giây.",
	    "A new code can be sent in %ld seconds." },
	[MSG_ERR_PHONE_LIMIT] = { "Đã gửi quá nhiều mã đến số điện thoại này. "
	    "Vui lòng thử lại sau; giới hạn này được đặt lại trong vòng một giờ.",
	    "Too many codes have been sent to this phone. Please try again "
	    "later; the limit resets within an hour." },
	[MSG_ERR_LOCKED] = { "Tài khoản đang bị khóa. Hãy mở khóa bằng mật khẩu "
	    "và mã xác thực gửi qua SMS.",
	    "This account is locked. Unlock it with your password and a code "
	    "sent by SMS." },
	[MSG_ERR_DISABLED] = { "Tài khoản đã bị vô hiệu hóa vì Cơ sở dữ liệu "
	    "quốc gia về dân cư ghi nhận người sở hữu đã qua đời.",
	    "This account is disabled because the national population registry "
	    "records its holder as deceased." },
	[MSG_ERR_SESSION_EXPIRED] = { "Phiên đăng nhập đã hết hạn. Vui lòng "
	    "đăng nhập lại.",
	    "Your session has expired. Please sign in again." },
	[MSG_ERR_CSRF] = { "Biểu mẫu đã hết hạn hoặc không được gửi từ trang "
	    "này. Hãy tải lại trang và thử lại.",
	    "The form has expired or was not sent from this site. Reload the "
	    "page and try again." },
	[MSG_ERR_FLOW_EXPIRED] = { "Bước đăng nhập đã hết hạn. Vui lòng bắt đầu "
	    "lại.",
	    "This sign-in step has expired. Please start again." },
	[MSG_ERR_INTERNAL] = { "Đã có lỗi xảy ra từ phía chúng tôi. Vui lòng "
	    "thử lại.",
	    "Something went wrong on our side. Please try again." },
	[MSG_ERR_BUSY] = { "Hệ thống đang bận. Vui lòng thử lại sau giây lát.",
	    "The service is busy. Please try again in a moment." },
	[MSG_ERR_NOT_FOUND] = { "Không tìm thấy trang bạn yêu cầu.",
	    "The page you asked for does not exist." },
	[MSG_ERR_BAD_FORM] = { "Biểu mẫu gửi lên không đọc được. Vui lòng tải "
	    "lại trang và thử lại.",
	    "The form could not be read. Please reload the page and try again." },
	[MSG_ERR_EXISTS] = { "Người này đã có tài khoản. Hãy đăng nhập, hoặc "
	    "dùng chức năng quên mật khẩu.",
	    "This person already has an account. Sign in, or use "
	    "\"forgot password\"." },

	[MSG_NOTE_CODE_SENT] = { "Nếu thông tin bạn nhập khớp với Cơ sở dữ liệu "
	    "quốc gia về dân cư, mã xác thực gồm 6 chữ số đã được gửi qua SMS.",
	    "If the details you entered match the national population "
	    "registry, a 6-digit code has been sent by SMS." },
	[MSG_NOTE_CREATED] = { "Tài khoản đã được tạo. Bây giờ bạn có thể đăng "
	    "nhập.",
	    "Your account has been created. You can sign in now." },
	[MSG_NOTE_TOTP_ENABLED] = { "Đã bật ứng dụng xác thực. Từ nay, khi đăng "
	    "nhập hãy dùng mã từ ứng dụng.",
	    "The authenticator app is enabled. From now on, sign in with a code "
	    "from the app." },
	[MSG_NOTE_LOCKED] = { "Tài khoản đã được khóa và mọi phiên đăng nhập "
	    "đã kết thúc.",
	    "The account is locked and every session has ended." },
	[MSG_NOTE_UNLOCKED] = { "Tài khoản đã được mở khóa. Bây giờ bạn có thể "
	    "đăng nhập.",
	    "The account is unlocked. You can sign in now." },
	[MSG_NOTE_PASSWORD_CHANGED] = { "Đã đổi mật khẩu và kết thúc mọi phiên "
	    "đăng nhập. Vui lòng đăng nhập lại.",
	    "Your password has been changed and every session has ended. "
	    "Please sign in again." },
	[MSG_NOTE_SIGNED_OUT] = { "Bạn đã đăng xuất.", "You have signed out." },

	[MSG_LINK_REGISTER] = { "Tạo tài khoản", "Create an account" },
	[MSG_LINK_FORGOT] = { "Quên mật khẩu?", "Forgot your password?" },
	[MSG_LINK_LOCK] = { "Mất điện thoại? Khóa tài khoản",
	    "Lost your phone? Lock your account" },
	[MSG_LINK_UNLOCK] = { "Mở khóa tài khoản", "Unlock your account" },
	[MSG_LINK_SIGN_IN] = { "Đăng nhập", "Sign in" },
	[MSG_LINK_HOME] = { "Về trang chủ", "Go to the home page" },

	[MSG_TITLE_CONSENT] = { "Chia sẻ thông tin với dịch vụ",
	    "Share your information with a service" },
	[MSG_INTRO_CONSENT] = { "Một dịch vụ muốn dùng tài khoản định danh điện "
	    "tử của bạn để đăng nhập. Hãy kiểm tra tên dịch vụ và những thông tin "
	    "được chia sẻ trước khi đồng ý.",
	    "A service wants you to sign in with your electronic identity. Check "
	    "the name of the service and what it will receive before you agree." },
	[MSG_CONSENT_SERVICE] = { "Dịch vụ", "Service" },
	[MSG_CONSENT_RECEIVES] = { "Thông tin dịch vụ sẽ nhận được",
	    "What the service will receive" },
	[MSG_CONSENT_NOTE] = { "Chỉ những thông tin trên được chia sẻ. Nếu bạn "
	    "từ chối, bạn quay lại dịch vụ mà không chia sẻ gì cả.",
	    "Only the information above is shared. If you refuse, you go back to "
	    "the service and nothing is shared." },
	[MSG_SCOPE_OPENID] = { "Một mã định danh riêng của bạn cho dịch vụ này "
	    "(không phải số định danh cá nhân của bạn)",
	    "Your identifier for this service (not your personal ID number)" },
	[MSG_SCOPE_PROFILE] = { "Họ và tên, ngày sinh và giới tính của bạn",
	    "Your full name, date of birth and gender" },
	[MSG_SCOPE_PERSONAL_ID] = { "Số định danh cá nhân của bạn",
	    "Your personal identification number" },
	[MSG_SCOPE_ADDRESS] = { "Nơi thường trú của bạn",
	    "Your place of residence" },
	[MSG_SCOPE_PHONE] = { "Số điện thoại di động của bạn",
	    "Your mobile phone number" },
	[MSG_SCOPE_OFFLINE] = { "Tiếp tục truy cập cả khi bạn không đăng nhập "
	    "(cho đến khi bạn thu hồi quyền này)",
	    "Keep access when you are not signed in (until you revoke it)" },
	[MSG_BTN_ALLOW] = { "Đồng ý", "Allow" },
	[MSG_BTN_DENY] = { "Từ chối", "Deny" },
	[MSG_TITLE_LOGOUT] = { "Đăng xuất khỏi dinhdanh?",
	    "Sign out of dinhdanh?" },
	[MSG_INTRO_LOGOUT] = { "Phiên đăng nhập của bạn trên thiết bị này sẽ "
	    "kết thúc.",
	    "Your session on this device will end." },
	[MSG_INTRO_LOGOUT_RETURN] = { "Sau khi đăng xuất, bạn sẽ quay lại dịch "
	    "vụ đã đưa bạn đến đây.",
	    "After signing out you will go back to the service that sent you "
	    "here." },
	[MSG_LINK_CANCEL] = { "Không đăng xuất", "Stay signed in" },
	[MSG_TITLE_OIDC_ERROR] = { "Không thể tiếp tục đến dịch vụ",
	    "Cannot continue to the service" },
	[MSG_OIDC_ERR_CLIENT] = { "Dịch vụ đã đưa bạn đến đây chưa được đăng ký "
	    "với dinhdanh. Không có thông tin nào được chia sẻ.",
	    "The service that sent you here is not registered with dinhdanh. "
	    "Nothing has been shared." },
	[MSG_OIDC_ERR_REQUEST] = { "Yêu cầu từ dịch vụ không hợp lệ hoặc đã hết "
	    "hạn. Hãy quay lại dịch vụ và thử lại. Không có thông tin nào được "
	    "chia sẻ.",
	    "The request from the service is not valid or has expired. Go back "
	    "to the service and try again. Nothing has been shared." },
	[MSG_OIDC_ERR_OTHER] = { "Không thể hoàn tất yêu cầu từ dịch vụ. Hãy "
	    "quay lại dịch vụ và thử lại.",
	    "The request from the service could not be completed. Go back to "
	    "the service and try again." },
	[MSG_OIDC_ERR_DETAILS] = { "Chi tiết kỹ thuật:", "Technical details:" },

	[MSG_QR_TITLE] = { "Đăng nhập bằng ứng dụng", "Sign in with the app" },
	[MSG_QR_INTRO] = { "Mở ứng dụng định danh điện tử trên điện thoại, quét "
	    "mã QR này và xác nhận. Mã có hiệu lực trong 2 phút. Cách này cần tài "
	    "khoản mức 2.",
	    "Open the electronic identity app on your phone, scan this QR code "
	    "and approve. The code is valid for 2 minutes. This needs a level-2 "
	    "account." },
	[MSG_QR_LABEL] = { "Mã QR đăng nhập", "Sign-in QR code" },
	[MSG_QR_OPEN_APP] = { "Mở trong ứng dụng (trên điện thoại này)",
	    "Open in the app (on this phone)" },
	[MSG_QR_BTN_DONE] = { "Tôi đã xác nhận trong ứng dụng",
	    "I approved in the app" },
	[MSG_QR_DENIED] = { "Bạn đã từ chối đăng nhập này trong ứng dụng. Không "
	    "ai được đăng nhập.",
	    "You refused this sign-in in the app. Nobody was signed in." },
	[MSG_QR_EXPIRED] = { "Mã QR đã hết hạn hoặc đã được dùng.",
	    "This QR code has expired or was already used." },
	[MSG_QR_PENDING] = { "Ứng dụng chưa xác nhận đăng nhập này. Hãy xác "
	    "nhận trong ứng dụng rồi bấm lại nút.",
	    "The app has not approved this sign-in yet. Approve it in the app, "
	    "then press the button again." },
	[MSG_QR_NEW] = { "Hiện mã mới", "Show a new code" },
	[MSG_METHOD_SWK] = { "Ứng dụng trên điện thoại (mã QR)",
	    "Phone app (QR code)" },
	[MSG_DATA_CONSENTS] = { "Dịch vụ bạn đã cho phép", "Services you allowed" },
	[MSG_DATA_NO_CONSENTS] = { "Bạn chưa cho phép dịch vụ nào.",
	    "You have not allowed any service." },
	[MSG_DATA_SERVICE] = { "Dịch vụ", "Service" },
	[MSG_DATA_SCOPES] = { "Được nhận", "May receive" },
	[MSG_DATA_SINCE] = { "Từ", "Since" },
	[MSG_BTN_REVOKE_CONSENT] = { "Rút lại", "Withdraw" },
	[MSG_NOTE_CONSENT_REVOKED] = { "Đã rút lại sự cho phép. Lần sau dịch vụ "
	    "đó sẽ phải hỏi lại bạn.",
	    "Permission withdrawn. That service must ask you again next time." },
	[MSG_ACC_LEVEL_HOW_1] = { "Mức 1: đăng ký trực tuyến",
	    "Level 1: registered online" },
	[MSG_ACC_LEVEL_HOW_2] = { "Mức 2: định danh tại quầy tiếp nhận",
	    "Level 2: enrolled at a desk" },
	[MSG_ACC_ENROLLED_AT] = { "Ngày định danh", "Enrolled on" },
	[MSG_SEC_HEADING] = { "Bảo mật", "Security" },
	[MSG_SEC_REAUTH_HINT] = { "Để đổi mật khẩu, bạn phải đã đăng nhập trong "
	    "vòng 5 phút; nếu không, bạn sẽ được đưa tới trang đăng nhập trước.",
	    "Changing your password needs a sign-in within the last 5 minutes; "
	    "otherwise you are sent to sign in first." },
	[MSG_SEC_NEW_PASSWORD] = { "Mật khẩu mới", "New password" },
	[MSG_BTN_CHANGE_PASSWORD] = { "Đổi mật khẩu", "Change password" },
	[MSG_BTN_REMOVE_TOTP] = { "Gỡ ứng dụng xác thực (quay lại mã SMS)",
	    "Remove the authenticator app (back to SMS codes)" },
	[MSG_NOTE_TOTP_REMOVED] = { "Đã gỡ ứng dụng xác thực. Bước thứ hai "
	    "khi đăng nhập là mã gửi qua SMS.",
	    "The authenticator app was removed. The second sign-in step is "
	    "an SMS code again." },
	[MSG_NOTE_PASSWORD_UPDATED] = { "Đã đổi mật khẩu.",
	    "Your password was changed." },
	[MSG_DATA_EXPORT] = { "Dữ liệu của tôi", "Your data" },
	[MSG_DATA_EXPORT_HINT] = { "Tải về tất cả dữ liệu về bạn (tệp JSON, không "
	    "chứa mật khẩu hay khóa bí mật).",
	    "Download all data about you (a JSON file, without passwords or "
	    "secret keys)." },
	[MSG_BTN_EXPORT] = { "Tải về tất cả dữ liệu của tôi", "Export all my data" },
	[MSG_DATA_DISCLOSURES] = { "Thông tin đã cung cấp", "Disclosures" },
	[MSG_DATA_NO_DISCLOSURES] = { "Chưa có thông tin nào được cung cấp.",
	    "Nothing has been disclosed." },
	[MSG_DATA_ATTRIBUTES] = { "Thông tin", "Attributes" },
	[MSG_DATA_CHANNEL] = { "Kênh", "Channel" },
	[MSG_DATA_FILTER] = { "Lọc", "Filter" },
	[MSG_DATA_ALL_SERVICES] = { "Tất cả dịch vụ", "All services" },
	[MSG_DATA_NEWER] = { "Mới hơn", "Newer" },
	[MSG_DATA_OLDER] = { "Cũ hơn", "Older" },
};

_Static_assert(ARRAY_LEN(TEXTS) == MSG_COUNT,
    "every enum msg needs a row in TEXTS");

static const char *const CODES[LANG_COUNT] = { "vi", "en" };

/* True when `tag` is "en", or "en" followed by a subtag, ';', ',' or space. */
static int
is_english_tag(const char *tag)
{
	if (strncasecmp(tag, "en", 2) != 0)
		return 0;
	return tag[2] == '\0' || tag[2] == '-' || tag[2] == '_' ||
	    tag[2] == ';' || tag[2] == ',' || tag[2] == ' ' || tag[2] == '\t';
}

enum lang
i18n_pick(const char *cookie, const char *accept_language)
{
	const char *p = accept_language;

	if (cookie != NULL) {
		if (strcasecmp(cookie, "en") == 0)
			return LANG_EN;
		if (strcasecmp(cookie, "vi") == 0)
			return LANG_VI;
	}
	if (p == NULL)
		return LANG_VI;
	while (*p == ' ' || *p == '\t' || *p == ',')
		p++;
	return is_english_tag(p) ? LANG_EN : LANG_VI;
}

const char *
i18n_code(enum lang lang)
{
	return lang == LANG_EN ? CODES[LANG_EN] : CODES[LANG_VI];
}

const char *
i18n(enum lang lang, enum msg m)
{
	const char *s;

	if ((unsigned)m >= (unsigned)MSG_COUNT)
		return "";
	s = TEXTS[m][lang == LANG_EN ? LANG_EN : LANG_VI];
	return s != NULL ? s : "";
}
