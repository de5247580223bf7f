"""Staff accounts: sign-in with the lockout, the second factor (TOTP) and the one-time binding code
(绑定码) with which an officer adds an authenticator, the clerk and officer roles, each staff
member's scope, the views that require one, and the officers' admin site."""
