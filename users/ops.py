"""Local operations on IAM users (the users part of LocalBackend).

Each function is one IAM action (see iamconsole/backends/base.py for the calling convention).
"""

from django.db import IntegrityError

from iamconsole import ids
from iamconsole.backends.base import operation, user_resource
from iamconsole.backends.errors import EntityAlreadyExists, NoSuchEntity

from .models import IAMUser


def get_user_or_404(ctx, name: str) -> IAMUser:
    """The account's user called `name` (case-insensitively), or AWS's NoSuchEntity."""
    try:
        return IAMUser.objects.select_related("account").get(account=ctx.account, name_lower=name.lower())
    except IAMUser.DoesNotExist:
        raise NoSuchEntity(f"The user with name {name} cannot be found.")


def user_dict(user: IAMUser, *, full: bool = False) -> dict:
    """The `User` shape; `full` adds PermissionsBoundary and Tags as GetUser/CreateUser return them."""
    out = {
        "Path": user.path,
        "UserName": user.name,
        "UserId": user.user_id,
        "Arn": user.arn,
        "CreateDate": user.created,
    }
    if user.password_last_used:
        out["PasswordLastUsed"] = user.password_last_used
    if full:
        if user.permissions_boundary_id:
            out["PermissionsBoundary"] = {
                "PermissionsBoundaryType": "PermissionsBoundaryPolicy",
                "PermissionsBoundaryArn": user.permissions_boundary.arn,
            }
        if user.tags:
            out["Tags"] = list(user.tags)
    return out


@operation("CreateUser", resource=user_resource)
def create_user(ctx, *, UserName, Path="/", PermissionsBoundary=None, Tags=None):
    if IAMUser.objects.filter(account=ctx.account, name_lower=UserName.lower()).exists():
        raise EntityAlreadyExists(f"User with name {UserName} already exists.")
    user = IAMUser(
        account=ctx.account,
        user_id=ids.unique_id("AIDA"),
        name=UserName,
        name_lower=UserName.lower(),
        path=Path,
        created=ctx.now,
    )
    try:
        user.save(force_insert=True)
    except IntegrityError:
        raise EntityAlreadyExists(f"User with name {UserName} already exists.")
    return {"User": user_dict(user, full=True)}


@operation("GetUser", resource=user_resource)
def get_user(ctx, *, UserName=None):
    if UserName is None:
        if ctx.principal.is_root:
            return {
                "User": {
                    "UserId": ctx.account_id,
                    "Arn": ctx.account.root_arn,
                    "CreateDate": ctx.account.created,
                }
            }
        UserName = ctx.principal.user_name
    return {"User": user_dict(get_user_or_404(ctx, UserName), full=True)}
