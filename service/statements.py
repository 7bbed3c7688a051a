"""The statement of reasons an author reads for a comment kept from the public."""

from typing import Any

from service.domain.appeals import APPEALABLE, DECIDING_ACTIONS
from service.i18n import DEFAULT_LANGUAGE, translations
from service.models import Action, Appeal, AppealStatus, Comment, ModerationEvent, Status
from workers.classifiers.reasons import Reason, toxic


def N_(message: str) -> str:
    """Mark a message for the catalogue; it is translated where it is used."""
    return message


# The audit trail's actions that set a status (DECIDING_ACTIONS: the pipeline's, a moderator's,
# an overturned appeal's), and those by which a person reviewed it.
REVIEWING_ACTIONS = (*DECIDING_ACTIONS, Action.APPEAL_UPHELD)
# Actors that are not people deciding: the service itself, and readers who flag.
NOT_A_MODERATOR = ("system", "reader", "author")

LABEL_NAMES = {
    "toxicity": N_("toxic language"),
    "severe_toxicity": N_("severely toxic language"),
    "obscene": N_("obscene language"),
    "threat": N_("a threat"),
    "insult": N_("an insult"),
    "identity_attack": N_("an attack on people for who they are"),
    "sexual_explicit": N_("sexually explicit language"),
}
# Reason codes an author is told about. Every other code comes from the spam stage, whose
# details stay withheld (see WITHHELD_SPAM).
REASON_TEXTS = {
    Reason.BANNED_WORD: N_("Your comment contains words this site does not allow: {words}."),
    Reason.PREMOD_ARTICLE: N_(
        "Every comment on this article is reviewed by a moderator before it is published."
    ),
    Reason.PREMOD_SITE: N_(
        "Every comment on this site is reviewed by a moderator before it is published."
    ),
    Reason.NEW_AUTHOR: N_("This site has a moderator review the first comment of a new author."),
    Reason.HELD_AUTHOR: N_(
        "This site's moderators review each of your comments before it is published."
    ),
    Reason.BANNED_AUTHOR: N_(
        "This site's moderators have banned you from commenting here, so "
        "your comments are not published."
    ),
    Reason.LANG_UNSUPPORTED: N_(
        "The automated checks do not support the language of your "
        "comment, so a moderator will review it."
    ),
    Reason.REPORTED: N_("Readers reported your comment to the moderators."),
    Reason.CLASSIFY_FAILED: N_(
        "The automated checks could not be completed, so a moderator will review your comment."
    ),
}
# Why a comment waits for a moderator; not why a moderator then rejected or removed it.
HOLD_ONLY = (
    Reason.PREMOD_ARTICLE,
    Reason.PREMOD_SITE,
    Reason.NEW_AUTHOR,
    Reason.HELD_AUTHOR,
    Reason.LANG_UNSUPPORTED,
    Reason.CLASSIFY_FAILED,
)
TOXIC_REJECT = N_(
    "An automated classifier rated your comment likely to contain {label}: its "
    "score reached {threshold}, this site's threshold for rejecting a comment."
)
TOXIC_HOLD = N_(
    "An automated classifier rated your comment likely to contain {label}: its "
    "score reached {threshold}, this site's threshold for review by a moderator."
)
DISCLOSED_CODES = (*REASON_TEXTS, *(toxic(label) for label in LABEL_NAMES))

SUMMARIES = {
    "held": N_("Your comment is waiting for a moderator."),
    "rejected": N_("Your comment was not published because of the reasons below."),
    "deleted": N_("Your comment was removed because of the reasons below."),
}
SUMMARIES_WITHOUT_FACTS = {
    "held": N_("Your comment is waiting for a moderator."),
    "rejected": N_("Your comment was not published."),
    "deleted": N_("Your comment was removed."),
}
SPAM_SUMMARY = N_(
    "Your comment is waiting for a moderator. The details of the automated checks "
    "are withheld, as explained below."
)
AUTOMATED = N_(
    "This decision was made by automated means ({model}, version {version}), without "
    "a person taking part."
)
AUTOMATED_RULES = N_(
    "This decision was made by automated means (this site's rules), without a person taking part."
)
BY_MODERATOR = N_("A moderator made this decision.")
APPEAL_AT = N_(
    "If you disagree with this decision, you can ask for it to be reviewed at {url}. "
    "Quote comment number {id}."
)
APPEAL_CONTACT = N_(
    "If you disagree with this decision, contact this site and quote comment number {id}."
)
APPEAL_HERE = N_(
    "If you disagree with this decision, you can appeal it once, here, with a short "
    "note; a moderator who did not make the decision will review it."
)
APPEAL_OUTCOMES = {
    "open": N_(
        "You appealed this decision; a moderator who did not make it will review your appeal."
    ),
    "upheld": N_("You appealed this decision; a moderator reviewed it and upheld it."),
    "overturned": N_(
        "You appealed the decision; a moderator reviewed it and overturned it, so "
        "your comment is published."
    ),
}
OVERTURNED_SUMMARY = N_("Your comment is published: your appeal succeeded.")

SPAM_WHY = N_(
    "Telling senders of spam what the checks look for, or how close they came, would "
    "help them get past the checks."
)
# The same for every statement, so its presence says nothing about a particular comment.
WITHHELD_SPAM = ("spam_checks", N_("The results of this site's automated spam checks."))
WITHHELD_PROCESS = (
    "decision_process",
    N_("How the decision so far was reached, and whether a person took part."),
)
# How many of the sentences that drove a toxicity score are quoted.
MAX_SENTENCES = 3


def deciding_event(comment: Comment, events: list[ModerationEvent]) -> ModerationEvent | None:
    """Return the audit event that set the comment's current status, if any."""
    for event in reversed(events):
        if event.action in DECIDING_ACTIONS and event.to_status == comment.status:
            return event
    return None


def driving_sentences(comment: Comment, label: str, threshold: float) -> list[str]:
    """Return the comment's sentences that scored highest on a label, those at threshold first."""
    spans = [s for s in comment.spans or [] if label in (s.get("scores") or {})]
    spans.sort(key=lambda s: s["scores"][label], reverse=True)
    over = [s for s in spans if s["scores"][label] >= threshold]
    chosen = over or spans[:1]
    return [comment.body[s["begin"] : s["end"]] for s in chosen[:MAX_SENTENCES]]


def banned_entries(comment: Comment, settings: dict[str, Any]) -> list[str]:
    """Return the entries of the site's banned words that this comment matched, as listed."""
    from workers.classifiers.spam.normalize import normalize
    from workers.classifiers.spam.rules import as_list, find_words, strip_tags

    listed = as_list(settings["banned_words"])
    texts = [
        normalize(comment.body),
        normalize(strip_tags(comment.body)),
        normalize(comment.author_name),
    ]
    found = set(find_words(listed, texts))
    # Only the entries that matched, in the operator's spelling: never the rest of the list.
    return [entry for entry in listed if normalize(entry) in found]


def _facts(comment: Comment, settings: dict[str, Any], automated: bool, _) -> list[dict]:
    texts = settings.get("reason_texts") or {}
    facts = []
    for code in comment.reasons or []:
        if code not in DISCLOSED_CODES or (code in HOLD_ONLY and comment.status != Status.HELD):
            continue
        fact: dict[str, Any] = {"code": code}
        if code.startswith("TOXIC:"):
            label = code.split(":", 1)[1]
            limits = settings["thresholds"].get(label)
            if limits is None:
                continue
            rejecting = automated and comment.status == Status.REJECTED
            threshold = limits["reject"] if rejecting else limits["hold"]
            template = TOXIC_REJECT if rejecting else TOXIC_HOLD
            fact |= {
                "label": label,
                "threshold": threshold,
                "sentences": driving_sentences(comment, label, threshold),
                "text": _(template).format(label=_(LABEL_NAMES[label]), threshold=threshold),
            }
        elif code == Reason.BANNED_WORD:
            words = banned_entries(comment, settings)
            fact |= {"words": words, "text": _(REASON_TEXTS[code]).format(words=", ".join(words))}
        else:
            fact["text"] = _(REASON_TEXTS[code])
        if code in texts:
            fact["text"] = texts[code]  # the operator's own wording
        facts.append(fact)
    return facts


def _appeal(comment: Comment, settings: dict[str, Any], appeal: Appeal | None, _) -> dict[str, Any]:
    url = settings.get("appeal_url")
    text = (
        _(APPEAL_AT).format(url=url, id=comment.id)
        if url
        else _(APPEAL_CONTACT).format(id=comment.id)
    )
    if appeal is None:
        return {
            "url": url,
            "text": text,
            "can_appeal": comment.status in APPEALABLE,
            "how": _(APPEAL_HERE),
            "status": None,
            "outcome": None,
            "reason": None,
            "decided_at": None,
        }
    return {
        "url": url,
        "text": text,
        "can_appeal": False,
        "how": None,
        "status": appeal.status,
        "outcome": _(APPEAL_OUTCOMES[appeal.status]),
        "reason": appeal.reason or None,  # the reviewer's, written for the author (the API says)
        "decided_at": appeal.decided_at,
    }


def _withheld(items, _) -> list[dict[str, str]]:
    return [{"fact": fact, "text": _(text), "reason": _(SPAM_WHY)} for fact, text in items]


def is_spam_hold(comment: Comment) -> bool:
    """Say whether the author is only told the comment awaits review (a spam verdict)."""
    if comment.status == Status.SPAM:
        return True
    # Held by the spam stage alone: told the same as a spam verdict, so the two look alike.
    return (
        comment.status == Status.HELD
        and bool(comment.reasons)
        and not any(code in DISCLOSED_CODES for code in comment.reasons)
    )


def statement(
    comment: Comment,
    events: list[ModerationEvent],
    settings: dict[str, Any],
    shown_status: str,
    appeal: Appeal | None = None,
) -> dict[str, Any] | None:
    """Build the statement of reasons for a comment kept from the public, or published on
    appeal; None otherwise."""
    overturned = appeal is not None and appeal.status == AppealStatus.OVERTURNED
    if comment.status == Status.PENDING or (comment.status == Status.APPROVED and not overturned):
        return None
    language = settings.get("language") or DEFAULT_LANGUAGE
    _ = translations(language).gettext
    event = deciding_event(comment, events)
    decided_at = comment.decided_at or (event.created_at if event else None)
    base = {
        "decision": shown_status,
        "decided_at": decided_at,
        "language": language,
        "appeal": _appeal(comment, settings, appeal, _),
    }
    if comment.status == Status.APPROVED:
        return base | {
            "summary": _(OVERTURNED_SUMMARY),
            "facts": [],
            "automated": False,
            "human_review": True,
            "process": _(BY_MODERATOR),
            "model": None,
            "withheld": [],
        }
    if is_spam_hold(comment):
        return base | {
            "summary": _(SPAM_SUMMARY),
            "facts": [],
            "automated": None,
            "human_review": None,
            "process": None,
            "model": None,
            "withheld": _withheld((WITHHELD_SPAM, WITHHELD_PROCESS), _),
        }

    # A person took part: a moderator decided, or reviewed the decision on appeal.
    human = any(e.actor not in NOT_A_MODERATOR and e.action in REVIEWING_ACTIONS for e in events)
    automated = event is None or event.actor == "system"
    facts = _facts(comment, settings, automated, _)
    toxic = any(f["code"].startswith("TOXIC:") for f in facts)
    model = (
        {"name": comment.model_name, "version": comment.model_version}
        if toxic and comment.model_name
        else None
    )
    if not automated:
        process = _(BY_MODERATOR)
    elif model:
        process = _(AUTOMATED).format(model=model["name"], version=model["version"])
    else:
        process = _(AUTOMATED_RULES)
    summaries = SUMMARIES if facts else SUMMARIES_WITHOUT_FACTS
    return base | {
        "summary": _(summaries[shown_status]),
        "facts": facts,
        "automated": automated,
        "human_review": human,
        "process": process,
        "model": model,
        "withheld": _withheld((WITHHELD_SPAM,), _),
    }
