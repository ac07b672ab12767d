"""The action workflow of docs/design.md §2: how an action starts, and how its status moves.

Pure rules; the services load the action, ask these functions and write what they
answer. The refusals are the user's errors, worded here once, so `action update`, `done`,
`signoff` and `reopen` say the same thing about the same move.

- `done`: an open action → complete (awaiting the board's sign-off);
- `signoff`: complete → signed_off, and only from complete (also through `update`);
- `reopen`: complete, signed_off or cancelled → in_progress, with a reason;
- cancelling, any move back from complete, signed_off or cancelled, moving a due date
  later and setting the RAG by hand need a reason, which is kept and audited.

Nobody is refused a step for who they are: the acting user is recorded in the audit
trail, not checked (the board's sign-off is recorded by whoever runs the command).

A new action, however it arrives (`action add`, a tracker, a plan export), is checked
by `check_new_actions`: a usable reference that no other action of the plan or the batch
holds, and a start no later than the due date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from improveplan.domain.vocab import DONE_STATUSES, OPEN_STATUSES, Rag, Status, spoken
from improveplan.errors import ImproveplanError, InvalidState

__all__ = [
    "CLOSED_STATUSES",
    "NEW_STATUS",
    "Draft",
    "DueStep",
    "Flaw",
    "Problem",
    "RagStep",
    "StatusStep",
    "Step",
    "change_status",
    "check_new_actions",
    "move_due",
    "needs_reason",
    "next_refs",
    "not_complete",
    "override_rag",
    "require_reason",
    "take",
    "usable_ref",
]

NEW_STATUS = Status.not_started
CLOSED_STATUSES: frozenset[Status] = frozenset(Status) - OPEN_STATUSES


class Step(StrEnum):
    """The named moves, each with its own command."""

    done = "done"
    sign_off = "sign_off"
    reopen = "reopen"


# Which statuses each move starts from, and where it leads.
STEPS: dict[Step, tuple[frozenset[Status], Status]] = {
    Step.done: (OPEN_STATUSES, Status.complete),
    Step.sign_off: (frozenset({Status.complete}), Status.signed_off),
    Step.reopen: (CLOSED_STATUSES, Status.in_progress),
}


def needs_reason(what: str) -> ImproveplanError:
    return ImproveplanError(f"{what} needs a reason", "add --reason TEXT")


def require_reason(reason: str | None, what: str) -> str:
    """The reason without surrounding space; a blank one is refused."""
    text = (reason or "").strip()
    if not text:
        raise needs_reason(what)
    return text


def not_complete(ref: str, status: Status) -> InvalidState:
    """Why an action in `status` cannot be signed off (or marked done again)."""
    if status == Status.signed_off:
        return InvalidState(f"action {ref} is already signed off", "nothing to do")
    if status == Status.cancelled:
        return InvalidState(
            f"action {ref} is cancelled",
            f"reopen it first: improveplan action reopen {ref} --reason TEXT",
        )
    return InvalidState(
        f"action {ref} is not complete", f"mark it done first: improveplan action done {ref}"
    )


def _refusal(step: Step, ref: str, status: Status) -> InvalidState:
    if step == Step.done and status == Status.complete:
        return InvalidState(
            f"action {ref} is already complete",
            f"sign it off with improveplan action signoff {ref}",
        )
    if step == Step.reopen:
        return InvalidState(
            f"action {ref} is {spoken(status)}, not closed", "there is nothing to reopen"
        )
    return not_complete(ref, status)


def take(step: Step, ref: str, status: Status) -> Status:
    """The status after `step` from `status`, or InvalidState saying what to do instead."""
    starts, leads_to = STEPS[step]
    if status not in starts:
        raise _refusal(step, ref, status)
    return leads_to


@dataclass(frozen=True, slots=True)
class StatusStep:
    """A status change as `action update` writes it; `reason` is kept as the status
    reason (None clears a reason a change no longer needs)."""

    status: Status
    reason: str | None


def _goes_back(old: Status, new: Status) -> bool:
    """Leaving cancelled, or leaving done work for anything but its sign-off."""
    return old == Status.cancelled or (old in DONE_STATUSES and new != Status.signed_off)


def status_needs_reason(old: Status, new: Status) -> bool:
    """Whether moving from `old` to `new` must say why (the screen asks before trying)."""
    return new != old and (new == Status.cancelled or _goes_back(old, new))


def change_status(ref: str, old: Status, new: Status, reason: str | None) -> StatusStep | None:
    """`action update --status`: None when nothing changes; refused when not allowed."""
    if new == old:
        return None
    if new == Status.signed_off and old != Status.complete:
        raise not_complete(ref, old)
    back = _goes_back(old, new)
    if new == Status.cancelled and not reason:
        raise needs_reason(f"cancelling action {ref}")
    if back and not reason:
        raise needs_reason(f"moving action {ref} from {old} back to {new}")
    return StatusStep(new, reason if new == Status.cancelled or back else None)


@dataclass(frozen=True, slots=True)
class DueStep:
    """A new due date; `original_due` is set when a first slip keeps the old one."""

    due: dt.date
    original_due: dt.date | None = None


def move_due(
    ref: str, due: dt.date | None, original_due: dt.date | None, new: dt.date, reason: str | None
) -> DueStep | None:
    """A later due date is slippage: it needs a reason and keeps the original due date."""
    if new == due:
        return None
    if due is None or new < due:
        return DueStep(new)
    if not reason:
        raise needs_reason(f"moving action {ref}'s due date later ({due} → {new})")
    return DueStep(new, due if original_due is None else None)


@dataclass(frozen=True, slots=True)
class RagStep:
    """A RAG set by hand with its reason, or (None, None): back to the computed RAG."""

    rag: Rag | None
    reason: str | None


def override_rag(ref: str, rag: Rag | None, reason: str | None) -> RagStep:
    """Setting the RAG by hand needs a reason; clearing it (None) does not."""
    if rag is None:
        return RagStep(None, None)
    if not reason:
        raise needs_reason(f"setting action {ref}'s RAG by hand")
    return RagStep(rag, reason)


# -- a new action ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Draft:
    """What the rules look at in a new action, however it arrives."""

    ref: str | None  # None: the next number (see next_refs)
    start: dt.date | None = None
    due: dt.date | None = None


class Flaw(StrEnum):
    """What can be wrong with a new action; each way in words it for its user."""

    unusable_ref = "unusable_ref"
    duplicate_ref = "duplicate_ref"
    ref_taken = "ref_taken"
    start_after_due = "start_after_due"


@dataclass(frozen=True, slots=True, kw_only=True)
class Problem:
    """A flaw of the new action at `index` of its batch."""

    index: int
    flaw: Flaw
    ref: str | None = None
    first: int | None = None  # duplicate_ref: where the batch first holds the ref


def usable_ref(ref: str) -> bool:
    """A reference people can type and read: up to 20 characters, no spaces (3, 2.4)."""
    return bool(ref) and len(ref) <= 20 and not any(c.isspace() for c in ref)


def check_new_actions(
    drafts: Sequence[Draft], *, taken: Collection[str] = (), restore: bool = False
) -> list[Problem]:
    """Every problem of a batch of new actions, in batch order, each action's in the order
    unusable ref, duplicate, taken, dates.

    Refs compare case-insensitively (2.4a and 2.4A would be read as one). `taken` holds
    the plan's refs. A `restore` (a plan export read back) keeps the dates as they stood:
    `action update` may have moved a due date before the start since the action was added.
    """
    held = {ref.lower() for ref in taken}
    seen: dict[str, int] = {}
    problems: list[Problem] = []
    for index, draft in enumerate(drafts):
        ref = draft.ref
        if ref is not None and not usable_ref(ref):
            problems.append(Problem(index=index, flaw=Flaw.unusable_ref, ref=ref))
        elif ref is not None:
            key = ref.lower()
            if key in seen:
                problems.append(
                    Problem(index=index, flaw=Flaw.duplicate_ref, ref=ref, first=seen[key])
                )
            else:
                seen[key] = index
            if key in held:
                problems.append(Problem(index=index, flaw=Flaw.ref_taken, ref=ref))
        late = draft.start is not None and draft.due is not None and draft.start > draft.due
        if late and not restore:
            problems.append(Problem(index=index, flaw=Flaw.start_after_due, ref=ref))
    return problems


def _integer(ref: str) -> int | None:
    return int(ref) if ref.isdecimal() else None


def next_refs(refs: Sequence[str | None], existing: Iterable[str]) -> list[str]:
    """The batch's refs, blanks (None) numbered on from the highest integer ref of the
    plan and of the batch; dotted refs such as 2.4 are not numbers and are skipped."""
    numbers = [_integer(ref) for ref in (*existing, *(r for r in refs if r is not None))]
    top = max((n for n in numbers if n is not None), default=0)
    result = []
    for ref in refs:
        if ref is None:
            top += 1
            ref = str(top)
        result.append(ref)
    return result
