"""Assistance identities (困难群众身份) from other departments' lists: imported, verified by a second
officer, revoked or ended, and the resident's assistance category kept in step with them; the
station's 应保尽保 list of people on a list who are not enrolled."""
