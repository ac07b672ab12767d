"""Actions: the service manager's daily work (one import for callers).

Writes live in `action_writes` (add, notes, the conditional update), `action_updates`
(status changes, under the rules of `domain.workflow`; corrections in `action_fields`) and
`action_removal` (an action made by mistake); new actions, by hand or imported,
share `new_actions`; reads live in `action_reads`. Every function takes the App and
keyword-only arguments.
"""

from __future__ import annotations

from improveplan.services.action_reads import history, list_actions, mine_filter, show_action
from improveplan.services.action_removal import remove_action
from improveplan.services.action_updates import mark_done, reopen, sign_off, update_action
from improveplan.services.action_writes import add_action, add_note

__all__ = [
    "add_action",
    "add_note",
    "history",
    "list_actions",
    "mark_done",
    "mine_filter",
    "remove_action",
    "reopen",
    "show_action",
    "sign_off",
    "update_action",
]
