"""Settings of the portal, read from the environment (django-environ).

With no environment at all the portal runs in development mode on a SQLite file and a
local-memory cache. Production sets DEBUG=False and must then supply its own SECRET_KEY and
ID_NUMBER_KEY: the development values are public, so the settings refuse to load with them.
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

DEVELOPMENT_SECRET_KEY = "development-only-secret-key-never-use-in-production"
DEVELOPMENT_ID_NUMBER_KEY = "development-only-id-number-key-never-use-in-production"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env.str("SECRET_KEY", default=DEVELOPMENT_SECRET_KEY)
# Key for encrypting ID numbers and for their keyed lookup digest (DESIGN.md section 4).
ID_NUMBER_KEY = env.str("ID_NUMBER_KEY", default=DEVELOPMENT_ID_NUMBER_KEY)
# Key rotation (rotate_id_number_key, SECURITY.md): the key being replaced, still read, and a stable
# key for the lookup digests, which the append-only access log and settlements keep.
ID_NUMBER_KEY_PREVIOUS = env.str("ID_NUMBER_KEY_PREVIOUS", default="")
ID_DIGEST_KEY = env.str("ID_DIGEST_KEY", default="")

if not DEBUG:
    if SECRET_KEY == DEVELOPMENT_SECRET_KEY:
        raise ImproperlyConfigured("DEBUG=False needs a SECRET_KEY of its own.")
    if ID_NUMBER_KEY == DEVELOPMENT_ID_NUMBER_KEY:
        raise ImproperlyConfigured("DEBUG=False needs an ID_NUMBER_KEY of its own.")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Addresses of the reverse proxies in front of gunicorn: only their X-Forwarded-For is believed
# (rate limits and the access log key on the client's address, which a client could forge).
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
# How many ID numbers registered outside their scope a clerk may check in a day (enrollment/elsewhere.py).
OUT_OF_SCOPE_CHECKS_PER_DAY = env.int("OUT_OF_SCOPE_CHECKS_PER_DAY", default=200)
# Requests a minute from one client address to the public JSON API (/api/v1/); the benefit
# estimate, which costs about twice a one-query page, lower than the others.
API_RATE_LIMIT = env.int("API_RATE_LIMIT", default=120)
API_ESTIMATE_RATE_LIMIT = env.int("API_ESTIMATE_RATE_LIMIT", default=30)

INSTALLED_APPS = [
    "portal.apps.OfficerAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "import_export",
    "simple_history",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "portal",
    "enrollment",
    "benefits",
    "assistance",
    "treatment",
    "my_insurance",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "portal.web.middleware.RejectNulMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "portal.web.sessions.SessionMiddleware",  # Django's; a failed save never fails the answer
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a refused login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.web.display.display",
            ],
        },
    },
]

DATABASES = {"default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
# A new connection per request made a one-query page 7x slower here (DESIGN.md section 2).
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Redis is a cache, not a dependency (portal/web/cache.py): a call that takes longer than this
# fails, and the worker then leaves Redis alone for CACHE_RETRY_SECONDS.
CACHE_SOCKET_TIMEOUT = env.float("CACHE_SOCKET_TIMEOUT", default=0.25)
CACHE_RETRY_SECONDS = env.float("CACHE_RETRY_SECONDS", default=5.0)
if env.str("CACHE_URL", default=""):
    # django-environ maps redis:// to django-redis; Django's own Redis backend is enough here.
    _cache_url = env.str("CACHE_URL")
    _redis = _cache_url.startswith("redis")
    _timeouts = {"socket_timeout": CACHE_SOCKET_TIMEOUT, "socket_connect_timeout": CACHE_SOCKET_TIMEOUT}

    def _shared_cache(backend: str) -> dict:
        config = env.cache_url_config(_cache_url, backend=backend if _redis else None)
        if _redis:
            config["OPTIONS"] = {**config.get("OPTIONS", {}), **_timeouts}
        return config

    CACHES = {
        # Page parts and lookups: a Redis failure is a miss.
        "default": _shared_cache("portal.web.cache.ForgivingRedisCache"),
        # The rate limits' counters: a failure is seen, and counted in this worker instead.
        "ratelimit": _shared_cache("django.core.cache.backends.redis.RedisCache"),
    }
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "ratelimit": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "ratelimit"},
    }
# Where the rate limits count while the shared cache is down: this worker's memory.
CACHES["ratelimit-local"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "ratelimit-local",
    "OPTIONS": {"MAX_ENTRIES": 100_000},  # a counter culled early would start its count again
}

# In the database alone: a session must not depend on the cache being up (one primary-key read
# per signed-in request).
SESSION_ENGINE = "django.contrib.sessions.backends.db"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes checks every login first: a locked-out username and address pair never reaches
# the password check.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Lockout after repeated failures of one username from one address. Never of the address alone:
# the stations of a township share one NAT address, and one clerk's typos must not lock out the
# others. Failures of the password and of the second factor both count (portal/accounts/two_factor.py).
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=30))
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "portal.web.addresses.client_address"
AXES_LOCKOUT_CALLABLE = "portal.accounts.lockout.lockout_response"
AXES_USERNAME_CALLABLE = "portal.accounts.lockout.attempted_username"
AXES_VERBOSE = False
# Staff sessions end after 30 minutes without a request and when the browser closes.
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# 我的医保 (my_insurance/session.py): a resident's session ends after 15 minutes without a
# request and when the browser closes.
RESIDENT_IDLE_MINUTES = env.int("RESIDENT_IDLE_MINUTES", default=15)
# Signing in to 我的医保 (my_insurance/signin/limits.py says why these numbers): a code is valid for
# 5 minutes and void after 5 wrong tries (the issue). Per ID number and per phone: at most this many
# attempts an hour and a day (shared cache), and as many codes sent (database, which holds when the
# cache is emptied). Per client address: attempts and code checks an hour.
SIGN_IN_CODES_PER_HOUR = env.int("SIGN_IN_CODES_PER_HOUR", default=5)
SIGN_IN_CODES_PER_DAY = env.int("SIGN_IN_CODES_PER_DAY", default=10)
SIGN_IN_ATTEMPTS_PER_ADDRESS = env.int("SIGN_IN_ATTEMPTS_PER_ADDRESS", default=20)
SIGN_IN_CODE_CHECKS_PER_ADDRESS = env.int("SIGN_IN_CODE_CHECKS_PER_ADDRESS", default=30)
# Second factor (TOTP, django-otp): the name an authenticator app shows for the portal.
OTP_TOTP_ISSUER = "城乡居民医保服务平台"
# The admin's TOTP device pages show no keys or QR codes: an administrator resets a lost phone by
# deleting the device and issuing a 绑定码 (portal/accounts/binding_codes.py), never by reading a key.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "staff_home"
LOGOUT_REDIRECT_URL = "home"

# History pages are a record to read: no "revert" button (portal/privacy/admin_mixins.py refuses the POST too).
SIMPLE_HISTORY_REVERT_DISABLED = True
LANGUAGE_CODE = "zh-hans"
# The portal's Chinese for libraries' messages whose own translation is missing or wrong; first,
# so that it wins over theirs (portal/locale/zh_Hans/LC_MESSAGES/django.po says how to compile).
LOCALE_PATHS = [BASE_DIR / "portal" / "locale"]
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Bootstrap comes from the npm registry (package.json); stations run on closed networks, no CDN.
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
    ("chartjs", BASE_DIR / "node_modules" / "chart.js" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False

# Cookie that remembers the large-text, high-contrast mode (大字版) for a year.
DISPLAY_COOKIE_NAME = "display"

# Production hardening; `manage.py check --deploy` is clean when DEBUG=False.
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content Security Policy (django-csp 4), in every mode so that development and the browser
# tests meet the same rules as production. No inline script anywhere; no inline style either:
# the only inline style attributes are cosmetic ones in third-party admin templates.
# Bootstrap's CSS draws its form controls' icons from data: URIs.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Documents residents hand in (assistance application attachments): outside STATIC_ROOT and any
# MEDIA_URL, served only by a view that checks the viewer's scope.
PRIVATE_STORAGE_ROOT = Path(env.str("PRIVATE_STORAGE_ROOT", default=str(BASE_DIR / "private")))
# Station rolls between their dry run and the clerk's confirmation (encrypted; every web worker
# must see the same directory, so on several hosts a shared volume).
ROLL_UPLOAD_DIR = Path(env.str("ROLL_UPLOAD_DIR", default=str(PRIVATE_STORAGE_ROOT / "roll-uploads")))

# Messages to residents: console (development), file, memory (tests) or an SMS gateway backend.
NOTIFICATION_BACKEND = env.str("NOTIFICATION_BACKEND", default="portal.shared.notifications.ConsoleBackend")
NOTIFICATION_FILE_PATH = env.str("NOTIFICATION_FILE_PATH", default=str(BASE_DIR / "notifications.log"))
# The SMS gateway (NOTIFICATION_BACKEND = "portal.shared.notifications.HttpSmsGateway"): where
# messages are posted, the bearer token it expects, and how long a send may take.
SMS_GATEWAY_URL = env.str("SMS_GATEWAY_URL", default="")
SMS_GATEWAY_TOKEN = env.str("SMS_GATEWAY_TOKEN", default="")
SMS_GATEWAY_TIMEOUT = env.float("SMS_GATEWAY_TIMEOUT", default=5.0)

# Error reports (mails to ADMINS, the debug page) never show a full ID number.
DEFAULT_EXCEPTION_REPORTER = "portal.privacy.error_reports.MaskingExceptionReporter"
# Uploaded lists hold ID numbers: keep them in memory rather than as plain files in /tmp.
FILE_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
