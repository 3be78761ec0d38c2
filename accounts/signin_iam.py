"""IAM-user console sign-in: the steps, the session they leave behind, and its audit (ARCHITECTURE.md §5).

The steps (accounts/views_signin.py drives them):

1. account (ID or alias), user name, password: `check_password_step`. Every failure (unknown account
   or user, no console password, wrong password, a locked name or address) is the same "no" with the
   same work done (a password hash is always checked), counted by accounts/lockout.py and audited.
2. the MFA code, when the user has an assigned device: `check_mfa_step` (a code is accepted once).
3. a new password, when an administrator required a reset or the password expired under the policy
   (HardExpiry: no way forward, an administrator must reset it).

Between the steps the session holds only `PENDING` (who, which step); it reaches no other page
(`bind_request` sends it back to its step). A new session key is issued after the password step and
after the MFA step. Once signed in, the session holds `SIGNED_IN`: the user's ID, whether MFA was used,
the start and last-seen times, and `session_hash(...)`, a keyed digest of the user's password hash and
session epoch, so that a password change, a removed console password, a deleted user or "Sign out
everywhere" ends every other session at its next request. Sessions also end after `IDLE_TIMEOUT` without
a request and after `ABSOLUTE_LIFETIME` (or the login profile's MaxSigninSessionDuration).
"""

import datetime
import time
import uuid
from functools import lru_cache

from django.contrib.auth.hashers import check_password, make_password
from django.db.models import F
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from credentials.models import LoginProfile, PasswordPolicy, VirtualMFADevice
from credentials.ops_mfa import verify_totp
from credentials.passwords import password_expired, password_expires_at, verify_password
from iamconsole.backends import Principal, get_backend
from iamconsole.backends.base import console_extension, user_resource
from users.models import IAMUser
from users.ops import get_user_or_404

from . import lockout
from .models import Account, AuditEvent, IAMUserSessionEpoch

PENDING = "iam_signin_pending"
SIGNED_IN = "iam_signin"
IDLE_TIMEOUT = 15 * 60  # seconds without a request (ASVS 7.3.1)
ABSOLUTE_LIFETIME = 8 * 3600  # seconds since sign-in (ASVS 7.3.2), unless MaxSigninSessionDuration says
SEEN_GRANULARITY = 60  # last-seen is written at most once a minute (one session write, not one per request)
EXPIRY_WARNING_DAYS = 15
PENDING_LIFETIME = 10 * 60  # a half-finished sign-in is forgotten after this
HIDDEN_USER = "HIDDEN_DUE_TO_SECURITY_REASONS"  # CloudTrail's name for a user that does not exist

# The clock, replaceable in tests (time travel past an idle timeout).
clock = time.time


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """A hash to check when there is no password to check, so an unknown user costs the same time."""
    return make_password(uuid.uuid4().hex)


class ConsoleIAMUser:
    """What `request.user` is for a signed-in IAM user: authenticated, but not an operator.

    It has no primary key (operator-only features must check `is_iam_user`); `accounts` is the user's
    own account only.
    """

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    is_iam_user = True
    pk = id = None
    email = ""

    def __init__(self, user: IAMUser, account: Account):
        self.iam_user = user
        self.account = account
        self.username = f"{user.name}@{account.alias or account.account_id}"

    def __str__(self):
        return self.username

    def get_username(self) -> str:
        return self.username

    @property
    def accounts(self):
        return Account.objects.filter(pk=self.account.pk)

    def has_perm(self, perm, obj=None) -> bool:
        return False

    def has_perms(self, perms, obj=None) -> bool:
        return False

    def has_module_perms(self, app_label) -> bool:
        return False


# --- finding who is signing in -------------------------------------------------------------------


def resolve_account(text: str) -> Account | None:
    """The local account whose 12-digit ID or alias is `text` (None for anything else)."""
    text = (text or "").strip().lower()
    if not text:
        return None
    field = "account_id" if text.isdigit() else "alias"
    return Account.objects.filter(**{field: text}, kind=Account.KIND_LOCAL).first()


def _find_user(account: Account, name: str) -> IAMUser | None:
    return IAMUser.objects.select_related("account").filter(account=account, name_lower=name.lower()).first()


def _profile(user: IAMUser | None) -> LoginProfile | None:
    if user is None:
        return None
    return LoginProfile.objects.filter(user=user).first()


def assigned_devices(user: IAMUser) -> list[VirtualMFADevice]:
    return list(VirtualMFADevice.objects.filter(user=user, enable_date__isnull=False))


def source_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


# --- audit -----------------------------------------------------------------------------------------


def record_sign_in(request, account, user, *, user_name: str, success: bool, mfa_used: bool = False):
    """CloudTrail's ConsoleLogin event for an IAM user: Success or Failure, and whether MFA was used.

    A user that does not exist is named HIDDEN_DUE_TO_SECURITY_REASONS, as CloudTrail does; a name that
    is not an account's has no account to log to.
    """
    if account is None:
        return
    arn = user.arn if user is not None else f"arn:aws:iam::{account.account_id}:user/{HIDDEN_USER}"
    AuditEvent.objects.create(
        account=account,
        event_time=timezone.now().replace(microsecond=0),
        event_name="ConsoleLogin",
        event_source="signin.amazonaws.com",
        via="console",
        principal_arn=arn,
        principal_type="IAMUser",
        principal_id=user.user_id if user is not None else "",
        source_ip=source_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:512],
        request_id=str(uuid.uuid4()),
        request_parameters={"userName": user.name if user is not None else HIDDEN_USER},
        # CloudTrail's additionalEventData.MFAUsed rides along in the response elements.
        response_elements={
            "ConsoleLogin": "Success" if success else "Failure",
            "MFAUsed": "Yes" if mfa_used else "No",
        },
        error_message="" if success else "Failed authentication",
    )


@console_extension("record_console_sign_in", authorized_as="GetUser", resource=user_resource)
def record_console_sign_in(ctx, *, UserName: str) -> dict:
    """Console extension: the user signed in to the console with their password now
    (PasswordLastUsed, as GetUser and the credential report show it)."""
    user = get_user_or_404(ctx, UserName)
    IAMUser.objects.filter(pk=user.pk).update(password_last_used=ctx.now)
    return {"PasswordLastUsed": ctx.now}


@console_extension(
    "unlock_console_sign_in", authorized_as="UpdateLoginProfile", resource=user_resource, mutating=True
)
def unlock_console_sign_in(ctx, *, UserName: str) -> dict:
    """Console extension: forget a user's failed sign-in attempts (an administrator's Unlock), authorized
    and audited as UpdateLoginProfile, the action that resets a user's console password."""
    user = get_user_or_404(ctx, UserName)
    return {"Unlocked": lockout.unlock(ctx.account_id, user.name)}


# --- the steps -------------------------------------------------------------------------------------


def check_password_step(request, account_text: str, user_name: str, password: str):
    """Step 1. Returns (account, user) when the password is right and nothing is locked, else None
    (after counting and auditing the failure). The caller shows one generic message for every None."""
    account = resolve_account(account_text)
    lock_scope = account.account_id if account else (account_text or "").strip().lower()
    locked = lockout.is_locked(lock_scope, user_name, source_ip(request))
    user = _find_user(account, user_name) if account else None
    profile = _profile(user)
    # Always check one hash, so an unknown user, a user without a password and a lock cost the same.
    good = verify_password(profile, password) if profile else check_password(password, _dummy_hash())
    if locked or not good or profile is None:
        if not locked:
            lockout.record_failure(lock_scope, user_name, source_ip(request))
        record_sign_in(request, account, user, user_name=user_name, success=False)
        return None
    return account, user


def begin(request, account: Account, user: IAMUser, *, next_url: str = "") -> str:
    """After the password step: a fresh session (new key, nothing of the old one kept) that remembers
    only who is half signed in (and the page they asked for); returns the next step ("mfa" or whatever `after_mfa` says)."""
    request.session.flush()
    request.session["iam_signin_next"] = next_url  # checked for safety where it is used
    state = {"account": account.account_id, "user": user.user_id, "mfa": False, "since": int(clock())}
    if assigned_devices(user):
        state["step"] = "mfa"
        request.session[PENDING] = state
        return "mfa"
    request.session[PENDING] = state
    return after_mfa(request, account, user)


def pending(request):
    """(account, user, state) of the half-finished sign-in of this session, or None."""
    state = request.session.get(PENDING)
    if not state or clock() - state.get("since", 0) > PENDING_LIFETIME:
        return None
    user = (
        IAMUser.objects.select_related("account")
        .filter(user_id=state["user"], account__account_id=state["account"])
        .first()
    )
    if user is None or _profile(user) is None:
        return None
    return user.account, user, state


def check_mfa_step(request, account: Account, user: IAMUser, code: str) -> bool:
    """Step 2: True when `code` is a fresh code of one of the user's devices (and nothing is locked);
    a wrong code counts as a failed sign-in, as a wrong password does."""
    locked = lockout.is_locked(account.account_id, user.name, source_ip(request))
    now = timezone.now()
    good = not locked and any(verify_totp(device, code, now=now) for device in assigned_devices(user))
    if not good:
        if not locked:
            lockout.record_failure(account.account_id, user.name, source_ip(request))
        record_sign_in(request, account, user, user_name=user.name, success=False)
        return False
    request.session.cycle_key()  # a new key after the MFA step too (ASVS 7.2.4)
    state = request.session[PENDING]
    request.session[PENDING] = {**state, "mfa": True, "step": ""}
    return True


def _hard_expiry(account) -> bool:
    return bool(PasswordPolicy.objects.filter(account=account, hard_expiry=True).exists())


def after_mfa(request, account: Account, user: IAMUser) -> str:
    """What follows the password (and MFA) step: "expired" (HardExpiry: stop), "password" (set a new
    one first), or "done" (signed in)."""
    profile = _profile(user)
    now = timezone.now()
    state = request.session[PENDING]
    if password_expired(account, profile, now) and _hard_expiry(account):
        request.session.pop(PENDING, None)
        record_sign_in(request, account, user, user_name=user.name, success=False)
        return "expired"
    if profile.password_reset_required or password_expired(account, profile, now):
        request.session[PENDING] = {**state, "step": "password"}
        return "password"
    complete(request, account, user, mfa=state.get("mfa", False))
    return "done"


def pending_backend(request, account: Account, user: IAMUser, state: dict):
    """The user's own backend during the change-password step (their policies decide ChangePassword)."""
    return get_backend(
        account,
        Principal(account, user),
        source_ip=source_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
        via="console",
        mfa=state.get("mfa", False),
    )


def complete(request, account: Account, user: IAMUser, *, mfa: bool) -> None:
    """Signed in: a new session key, the SIGNED_IN state, ConsoleLogin Success and PasswordLastUsed."""
    request.session.pop(PENDING, None)
    request.session.cycle_key()
    now = int(clock())
    request.session[SIGNED_IN] = {
        "account": account.account_id,
        "user": user.user_id,
        "mfa": mfa,
        "hash": session_hash(user),
        "started": now,
        "seen": now,
    }
    lockout.record_success(account.account_id, user.name)
    record_sign_in(request, account, user, user_name=user.name, success=True, mfa_used=mfa)
    get_backend(account, via="console").record_console_sign_in(UserName=user.name)


def expiry_warning(account: Account, user: IAMUser) -> str:
    """ "Your password expires in N days" in the last EXPIRY_WARNING_DAYS days, else ""."""
    profile = _profile(user)
    expires = password_expires_at(account, profile) if profile else None
    if expires is None:
        return ""
    left = expires - timezone.now()
    if left > datetime.timedelta(days=EXPIRY_WARNING_DAYS):
        return ""
    days = max(left.days, 0)
    when = "today" if days == 0 else f"in {days} day{'s' if days != 1 else ''}"
    return f"Your password expires {when}. Change it before then."


# --- the signed-in session ---------------------------------------------------------------------------


def _epoch(user: IAMUser) -> int:
    row = IAMUserSessionEpoch.objects.filter(user=user).first()
    return row.epoch if row else 0


def session_hash(user: IAMUser, profile: LoginProfile | None = None, epoch: int | None = None) -> str:
    """A keyed digest of what must not change during a session: the password hash and the epoch."""
    profile = profile or _profile(user)
    epoch = _epoch(user) if epoch is None else epoch
    value = f"{user.user_id}:{profile.password_hash if profile else ''}:{epoch}"
    return salted_hmac("accounts.signin_iam.session", value, algorithm="sha256").hexdigest()


def keep_session(request, user: IAMUser) -> None:
    """After the user changed their own password: this session continues, every other one ends."""
    state = request.session[SIGNED_IN]
    request.session.cycle_key()
    request.session[SIGNED_IN] = {**state, "hash": session_hash(user)}


def sign_out_everywhere(request, user: IAMUser) -> None:
    """End every console session of the user, this one included."""
    row, _ = IAMUserSessionEpoch.objects.get_or_create(user=user)
    IAMUserSessionEpoch.objects.filter(pk=row.pk).update(epoch=F("epoch") + 1)
    request.session.flush()


def sign_in_url(account_text: str | None) -> str:
    if account_text:
        return reverse("accounts:iam_signin_account", args=[account_text])
    return reverse("accounts:iam_signin")


def _is_signin_path(path: str) -> bool:
    return path.startswith(("/signin", "/signout", "/static/"))


def _signed_in_user(state: dict) -> tuple[IAMUser, LoginProfile] | None:
    user = (
        IAMUser.objects.select_related("account")
        .filter(user_id=state.get("user"), account__account_id=state.get("account"))
        .first()
    )
    profile = _profile(user)
    if user is None or profile is None:
        return None
    return user, profile


def _ended(state: dict, found, now: float) -> bool:
    if found is None:
        return True  # user deleted or console password removed
    user, profile = found
    lifetime = profile.max_signin_session_duration or ABSOLUTE_LIFETIME
    return (
        not constant_time_compare(state.get("hash", ""), session_hash(user, profile))
        or now - state.get("seen", 0) > IDLE_TIMEOUT
        or now - state.get("started", 0) > lifetime
    )


def _to(request, url: str) -> HttpResponse:
    """A redirect; for htmx (whose request would swap the sign-in page into a fragment), a full-page one."""
    if request.headers.get("HX-Request") == "true":
        return HttpResponse(status=204, headers={"HX-Redirect": url})
    return redirect(url)


def bind_request(request):
    """For PrincipalMiddleware: bind an IAM user's session to `request.user/account/iam`.

    Returns a response to send instead of the view (a redirect) or None to go on. A half-signed-in
    session is sent back to its step; an ended session is flushed and sent to sign in again.
    """
    state = request.session.get(SIGNED_IN)
    if state is None:
        if PENDING in request.session and not _is_signin_path(request.path):
            return _to(request, reverse("accounts:iam_signin_continue"))
        return None
    now = clock()
    found = _signed_in_user(state)
    if _ended(state, found, now):
        request.session.flush()
        if _is_signin_path(request.path):
            return None
        return _to(request, f"{sign_in_url(state.get('account'))}?ended=1")
    user, _ = found
    account = user.account
    if now - state.get("seen", 0) > SEEN_GRANULARITY:
        request.session[SIGNED_IN] = {**state, "seen": int(now)}
    request.user = ConsoleIAMUser(user, account)
    request.iam_user = user
    request.account = account
    request.console_accounts = [account]
    request.iam = get_backend(
        account,
        Principal(account, user),
        source_ip=source_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
        via="console",
        mfa=bool(state.get("mfa")),
        request_id=getattr(request, "request_id", None),
    )
    return None
