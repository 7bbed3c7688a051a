"""Bot and content signals, each a piece of evidence in log-odds units (positive = spammier)."""

import re
from functools import cache
from importlib.resources import files
from itertools import islice
from urllib.parse import urlsplit

from .normalize import fold, normalize
from .rules import BARE_URL, Links, find_links, strip_tags
from .scan import PatternSet, compile_re2

# Weights are log-odds: +2.2 turns even odds into 90 %. Set from general spam knowledge and
# checked on the train split of bench/data/spam_comments.jsonl (never tuned on its test split);
# bot signals are the strongest, signals that readers also trip (shouting) the weakest.
HONEYPOT = 6.0
TOO_FAST = 4.0  # no person reads a form, types and submits in under 3 seconds
# A forged, foreign or expired render token: the form was not the one the site showed.
BAD_RENDER_TOKEN = TOO_FAST
NO_USER_AGENT = 1.0
SCRIPT_USER_AGENT = 1.5
EXTRA_LINK = 0.8  # per content link after the first
MAX_LINK_WEIGHT = 3.2
LINK_RATIO = 1.0  # fewer than 10 words per link
LINK_MARKUP = 1.0  # HTML anchors / BBCode typed into a plain-text comment box
SHORTENER = 1.5
SPAM_TLD = 1.5
DISPOSABLE_EMAIL = 1.0
AUTHOR_KEYWORDS = 1.2
AUTHOR_DOMAIN = 1.5
REPEATED_CHARS = 0.4
SHOUTING = 0.6
PRAISE_WITH_URL = 2.5  # generic praise from an author who leaves a link: classic SEO spam
PRAISE_PER_EXTRA_HIT = 0.75
MAX_PRAISE_WEIGHT = 4.0
PRAISE_WITHOUT_URL = 0.4  # per phrase: readers praise articles too, so weak on its own
PATTERN_FAMILY_CAP = 3.0
SCAM_CONTACT = 1.5
_PROMISES = ("crypto", "loan", "earn", "spell", "adult")

_SCRIPT_AGENTS = re.compile(
    r"python-requests|python-urllib|aiohttp|httpx|curl/|wget/|go-http-client|libwww-perl|"
    r"java/\d|scrapy|node-fetch|axios/|guzzlehttp|okhttp",
    re.I,
)
# A bare domain ("cheap-pills.example/buy"). The first character is matched before the look
# back at the one preceding it: that lets the regex engine skip ahead to the next possible first
# character instead of trying the whole pattern at every position (ten times faster on text
# with few of them).
_HOST_IN_TEXT = re.compile(
    r"([a-z0-9-](?<![\w@.-][a-z0-9-])[a-z0-9-]{0,62}\.(?:[a-z0-9-]{1,63}\.){0,7}([a-z]{2,12}))"
    r"(?:/\S*)?(?![\w-])"
)
_REPEATED = re.compile(r"(\S)\1{4,}")
_WORD = re.compile(r"\w+")

# Spam families: (pattern, weight); a family's weights add up to PATTERN_FAMILY_CAP.
# Strong patterns (2.0) are near-certain on their own; weak ones (0.5-1.0) need company.
_FAMILIES: dict[str, list[tuple[str, float]]] = {
    "casino": [
        (r"online casinos?|casino (?:bonus|online|sites?|games?|app|no deposit)", 2.0),
        (r"free spins?|no deposit bonus|welcome bonus|bonus code|deposit bonus", 2.0),
        (r"jackpots?|slots? (?:games?|machines?|online|sites?)|online slots?", 1.5),
        (r"(?:sports ?)?betting (?:sites?|tips|app|odds|platform)|bet now|online betting", 1.5),
        (r"win (?:big|real money|cash)|real money|poker (?:online|rooms?|sites?)", 1.0),
    ],
    "crypto": [
        (r"(?:bitcoin|btc|crypto(?:currency)?|forex|binary options?|usdt|ethereum) "
         r"(?:investment|trading platform|mining|doubler|signals?|expert|trader|recovery)", 2.0),
        (r"(?:account manager|expert trader|trading expert|investment platform|"
         r"investment manager|mining pool)", 1.5),
        (r"recover(?:y|ed)? (?:of )?(?:my |your |lost |stolen )*(?:funds?|crypto|bitcoin|money|"
         r"wallet)|(?:funds?|crypto|bitcoin|money) recovery|recovery (?:expert|hacker|agent)", 2.0),
        (r"(?<!\w)(?:bitcoin|btc|crypto(?:currency)?|forex|usdt)(?!\w)", 0.5),
        (r"(?<!\w)(?:invest(?:ed|ing|ment)?|profits?|returns?|payouts?|withdraw(?:al|n)?)"
         r"(?!\w)", 0.5),
    ],
    "loan": [
        (r"loan (?:offer|lender|company|firm|agent)|(?:legit|reliable|genuine|trusted) "
         r"(?:loan|lender)", 2.0),
        (r"no credit check|guaranteed (?:approval|loan)|instant (?:approval|loan)", 2.0),
        (r"(?:payday|instant|quick|personal|business|cash|fast|urgent|unsecured) loans?", 0.8),
        (r"interest rate of|apply (?:now|today)|get approved|approved within", 1.0),
    ],
    "pharma": [
        (r"viagra|cialis|levitra|tramadol|xanax|oxycodone|phentermine|kamagra", 2.0),
        (r"without (?:a )?prescription|online pharmacy|no prescription", 2.0),
        (r"(?:buy|order|cheap|discount) [\w ]{0,20}(?:pills|meds|medications?|tablets)", 1.5),
        (r"weight loss (?:pills|gummies|supplements?)|keto (?:pills|gummies)|cbd gummies|"
         r"male enhancement", 1.5),
    ],
    "adult": [
        (r"hot singles|sexy (?:girls|women|ladies)|adult (?:dating|chat|videos?)|"
         r"webcam girls", 2.0),
        (r"meet (?:local |hot |lonely )?(?:girls|women|singles|ladies)|dating (?:site|app)", 1.5),
        (r"(?<!\w)(?:porn|nudes?|xxx|escorts?)(?!\w)|my (?:private )?(?:photos|pics)", 1.5),
        (r"lonely (?:girl|woman|lady|widow)", 1.0),
    ],
    "seo": [
        (r"backlinks?|guest post(?:ing|s)?|domain authority|(?:first|1st) page of google", 2.0),
        (r"seo (?:services?|expert|agency|company|tools?)|"
         r"digital marketing (?:agency|services?)", 1.5),
        (r"buy (?:instagram|tiktok|youtube|twitter|facebook) (?:followers|likes|views)", 2.0),
        (r"(?:increase|boost|drive) (?:your )?(?:website |site )?traffic|rank (?:your|my) "
         r"(?:site|website)", 1.5),
    ],
    "earn": [
        (r"work(?:ing)? (?:from|at) home|(?:extra|passive|online) income|be your own boss|"
         r"financial freedom", 1.5),
        (r"(?:earn|earns|earned|make|makes|making|made|get paid|paid|earning|profit) [^.!?\n]{0,40}"
         r"\$ ?\d[\d,.]*k?[^.!?\n]{0,30}(?:per|a|an|every|each|in a|within|in) (?:\d+ )?"
         r"(?:hours?|days?|weeks?|months?)", 2.0),
        (r"\$ ?\d[\d,.]*k? (?:became|turned into|grew (?:in)?to|into) \$ ?\d|"
         r"\d+ ?% (?:returns?|profit|daily|weekly|monthly)", 2.0),
        (r"(?:earn|make|made|get paid) (?:money|cash) (?:online|from home|fast)|"
         r"no experience (?:needed|required)", 1.5),
    ],
    "contact": [
        (r"(?<!\w)(?:whatsapp|whats app|telegram|viber|wechat|wa\.me|t\.me)(?!\w)", 1.5),
        (r"(?:contact|reach|text|email|write|message|dm|call) (?:him|her|them|me|us) "
         r"(?:on|via|through|at|today|now|directly)", 1.0),
        # Bounded repeats (a phone number, an address's parts) keep the scan linear.
        (r"\+?\d[\d\s().-]{8,24}\d", 1.5),  # a phone number; digits counted below
        (r"[\w.+-]{1,64}@[\w-]{1,63}\.[a-z]{2,12}", 0.8),  # an email address in the text
    ],
    "spell": [
        (r"spell ?caster|love spells?|powerful (?:spell|priest|herbalist)|spell temple", 2.0),
        (r"(?:bring|brought|get|got) (?:back )?(?:my|your|her|his) (?:ex|lover|husband|wife)", 1.5),
        (r"herbal (?:cure|medicine|remedy)|cured? (?:of )?(?:my )?(?:hiv|herpes|hpv)", 1.5),
    ],
    "promo": [
        (r"click (?:here|the link|below|on (?:the|this) link|this link)|link in (?:my )?"
         r"(?:bio|profile)", 1.5),
        (r"visit (?:my|our) (?:site|website|page|profile|store|shop)|check (?:out )?(?:my|our) "
         r"(?:site|website|profile|store|shop|page)", 1.0),
        (r"limited (?:time )?offer|act now|order (?:now|today)|buy now|sign up (?:now|today|here)|"
         r"100 ?% (?:free|guaranteed|legit)", 1.0),
        # Advertising copy: readers complain about prices, they don't quote them like this.
        (r"(?:best|lowest|great) prices?|on sale|\d+ ?% off|free shipping|free (?:quote|trial)|"
         r"(?:great|best) deals? (?:on|for|here)|you will not regret|trusted by thousands|"
         r"visit (?:our|my) website|for more (?:info|information|details)", 1.0),
        (r"gift ?cards?|you (?:have )?won|claim (?:your|the) (?:prize|reward|bonus)|"
         r"free iphone", 1.5),
        # Clickbait that floods carry: urgency and secrecy in front of a link.
        (r"before (?:it|this) (?:gets |is )?(?:deleted|removed|taken down|banned)|they don'?t want "
         r"you to (?:know|see)|what they(?:'re| are) hiding|share (?:this|it) everywhere|"
         r"everyone (?:should|needs to|must) (?:see|read|watch) this", 1.5),
    ],
    "streaming": [
        (r"live ?stream(?:ing)? (?:free|online|hd|link)|watch [^.!?\n]{0,40} (?:live|online) free|"
         r"free live ?stream", 2.0),
        (r"full movie|(?:hd|1080p|4k|720p) (?:stream|download|quality)|free download|"
         r"torrent", 1.5),
    ],
}  # fmt: skip
# Every alternative starts at a word start (also keeps "\d+" from rescanning digit runs), and
# with a word character, "$", "+", "." or "-": checking that first turns away the other
# positions at once, which matters in a text of punctuation, where every position is a start.
_FAMILY_START = r"(?=[\w$+.-])(?<!\w)"
_FAMILY_PATTERNS = {
    # No IGNORECASE: the patterns only ever see folded (case-folded) text, and matching
    # without it is several times faster.
    family: [(re.compile(rf"{_FAMILY_START}(?:{pattern})"), weight) for pattern, weight in patterns]
    for family, patterns in _FAMILIES.items()
}
# Generic praise that fits any page: SEO spammers post it to get their author URL shown. The
# genre is recognised by its parts, not by stock sentences: a compliment on "the post"/"your
# site"/"your writing" (praise word next to a word for the piece, or the piece said to be good),
# praise of the author, what the piece did for the reader, promises to come back or subscribe,
# and the small talk addressed to a site's owner (its host, its theme, quoting its posts).
_PRAISE_WORD = (
    r"(?:great|nice|good|wonderful|awesome|excellent|fantastic|amazing|outstanding|superb|"
    r"informative|helpful|useful|valuable|interesting|brilliant|lovely|fabulous|impressive|"
    r"engaging|insightful|enjoyable|remarkable|pleasant|perfect|terrific|magnificent|incredible|"
    r"beautiful|fascinating|splendid|marvell?ous|fastidious|well[- ]written|well[- ]researched|"
    r"top[- ]notch|first[- ]rate|(?:easy|a pleasure) to (?:read|follow|understand))"
)
_PIECE = (
    r"(?:post|posts|article|articles|blog|blog post|read|info|information|content|contents|"
    r"share|stuff|website|web site|site|webpage|web page|page|writing|write-?up|piece|"
    r"piece of writing|topic|tips|points|job|work|explanation|insights?|layout|design|theme|"
    r"writing style|style of writing|material|resource)"
)
_INTENSIFIER = r"(?:very|really|quite|so|extremely|truly|super|incredibly|highly|such an?|an?)"
_PRAISE = re.compile(
    # Every alternative starts with a letter: a quick first check, as for _FAMILY_START.
    r"(?=\w)(?<!\w)(?:"
    # "great post", "a really informative article", "such a well written piece"
    rf"(?:{_INTENSIFIER} )?{_PRAISE_WORD} {_PIECE}"
    rf"|(?:very|really|quite|so|extremely|truly) (?:informative|helpful|useful|interesting|"
    r"nice|good|great)"
    # "your writing style is very engaging", "this post of yours is the best I have read"
    rf"|(?:your|this) {_PIECE}(?: of [\w' -]{{1,40}})? (?:is|was|are|were|has been|looks|"
    rf"seems) (?:{_INTENSIFIER} |just |the )?(?:{_PRAISE_WORD}|best|greatest|finest)"
    rf"|(?:best|greatest|finest|most {_PRAISE_WORD}) (?:{_PIECE} )?(?:one )?i(?:'ve| have)?"
    r" (?:ever )?(?:read|seen|found|come across)"
    r"|(?:never|not) (?:found|seen|read) (?:any|an?) (?:\w+ )?(?:post|article|blog|site|piece)"
    r" (?:like|as \w+ as) (?:yours|this)"
    # praise of the author
    r"|you (?:have |'ve )?(?:made|make|raised?|bring up|brought up) (?:some |a few |many )?"
    r"(?:really |very )?(?:good|great|nice|valid|excellent|interesting|solid|fair) points"
    rf"|you(?:'re| are| r) (?:an?|such an?|one) (?:{_INTENSIFIER} )?(?:{_PRAISE_WORD}|talented|"
    r"gifted|skilled) (?:writer|blogger|author)"
    rf"|(?:impressed|amazed|blown away) (?:with|by) (?:your|this) {_PIECE}"
    # what the piece did for the reader
    r"|(?:helped|helps) me (?:a lot|so much|a great deal|understand)"
    r"|i (?:have |'ve )?(?:really )?(?:learned|learnt) (?:a lot|so much|something new)"
    r"|thanks?(?: you)?(?: so much| a lot)? for (?:sharing|posting|writing|the (?:post|article|"
    r"info|information)|this (?:post|article|info|information))"
    r"|(?:enjoyed|appreciate|liked|love) (?:reading|this|your) (?:post|article|blog|content)?"
    # coming back, following
    r"|keep (?:it )?up the (?:good|great|nice|excellent) work|keep (?:posting|writing|sharing)"
    r"|bookmark(?:ed|ing)?|subscribed? to (?:your|the|this) (?:rss|feed|blog|newsletter)"
    r"|rss feed|(?:your|this) (?:blogs?|websites?|web sites?|weblogs?)"
    r"|blog(?:ging)? (?:post|layout|theme)"
    r"|looking forward to (?:your|the|reading|more|seeing)(?: \w+)?"
    r" (?:post|posts|article|articles|content|updates?)"
    r"|(?:will|i'll|i will|i'll definitely|definitely) (?:come back|return|be back|visit again|"
    r"check back)"
    r"|shar(?:e|ing) (?:this|it) with (?:my )?(?:friends|colleagues|followers|family)"
    # small talk with the site's owner
    r"|(?:hi|hello|hey|dear) (?:admin|webmaster|blogger)|hello to (?:all|every ?one|everybody)"
    r"|came across (?:this|your)|(?:found|find) (?:this|your) (?:post|article|blog|site|website|"
    r"information)"
    r"|(?:what|which) (?:web )?(?:host|hosting|theme|template|plugin|platform) (?:are|do|is)"
    r" you (?:using|use)"
    r"|do you mind if i (?:quote|share|link|use)|(?:credit|link) back to (?:your|the) "
    r"(?:site|website|webpage|web page|blog|page)"
    r"|more (?:related|similar) (?:content|posts|articles)|more (?:content|posts|articles) like "
    r"(?:this|yours)"
    r")(?!\w)"
)
# Every family pattern and the praise pattern in one RE2 set: one pass over a text tells which
# of them occur, where Python's re would scan the text once per pattern.
_PATTERN_NUMBER = {
    (family, index): number
    for number, (family, index) in enumerate(
        (family, index) for family, patterns in _FAMILIES.items() for index in range(len(patterns))
    )
}
_PATTERN_SET = PatternSet(
    [rf"(?<!\w)(?:{pattern})" for patterns in _FAMILIES.values() for pattern, _ in patterns]
    + [_PRAISE.pattern]
)
_PRAISE_INDEX = len(_PATTERN_NUMBER)
# The contact patterns' matches are read (see _is_contact): RE2 finds the first, re reads it.
_CONTACT_FIRST = [compile_re2(rf"(?<!\w)(?:{p})") for p, _ in _FAMILIES["contact"]]
# Words that make an author name an advert ("Best Plumber Austin", "Cheap VPN Deals").
_COMMERCIAL_NAME = re.compile(
    r"(?<!\w)(?:services?|company|agency|best|cheap|buy|online|shop|store|sale|deals?|loans?|"
    r"casino|seo|marketing|hosting|repair|plumb(?:er|ing)|roofing|lawyers?|attorneys?|dentists?|"
    r"clinic|insurance|escorts?|pills|cbd|vpn|crypto|bitcoin|forex|betting|slots|solutions|"
    r"consult(?:ing|ants?)|movers|locksmith|rentals?|essays?|homework|followers|downloads?|apk|"
    r"hd|near me|official|development|packers|cargo|real estate|mortgages?|credit|hack(?:er)?|"
    r"recovery|tours?|agency|clean(?:ing|ers)|design(?:ers)?|software|trading|investments?)(?!\w)"
)
_NAME_IS_DOMAIN = re.compile(r"(?:www\.|https?://|\.(?:com|net|org|info|biz|xyz|io|co)\b)")
_NAME_PART = re.compile(r"[^\W\d_]+")
# Words in author names and email addresses that name nobody.
_NOT_NAMES = frozenset(
    "info mail admin contact guest anonymous user http https www blog news office sales support "
    "team".split()
)


@cache
def _listed(name: str) -> frozenset[str]:
    """Return the entries of a shipped data list."""
    text = files(__package__).joinpath("data", name).read_text(encoding="utf-8")
    return frozenset(
        line.strip().lower() for line in text.splitlines() if line.strip() and line[0] != "#"
    )


def _host(url: str) -> str:
    """Return the lower-case host of a URL, with or without a scheme."""
    if "://" not in url:
        url = "http://" + url
    try:
        # hostname keeps the case of what follows a "%" (an IPv6 zone): lower it all.
        return (urlsplit(url).hostname or "").rstrip(".").lower()
    except ValueError:
        return ""


@cache
def _most_labels(name: str) -> int:
    """Return how many labels the longest entry of a shipped domain list has."""
    return max((entry.count(".") + 1 for entry in _listed(name)), default=0)


def _in_domain_list(host: str, name: str) -> bool:
    """Tell whether host or one of its parent domains is on a shipped domain list."""
    listed = _listed(name)
    # Only the last few labels can match an entry: walking dots from the right keeps a host
    # of thousands of labels ("www.www.www...") as cheap as a short one.
    start = len(host)
    for labels in range(1, _most_labels(name) + 1):
        start = host.rfind(".", 0, start)
        if start < 0:
            return labels >= 2 and host in listed
        if labels >= 2 and host[start + 1 :] in listed:
            return True
    return False


def bot_signals(
    *,
    honeypot: str | None,
    render_elapsed_s: float | None,
    user_agent: str,
    min_submit_s: float,
    render_token_invalid: bool = False,
) -> dict[str, float]:
    """Return the evidence that a script, not a person, filled in the form."""
    found: dict[str, float] = {}
    if honeypot:
        found["HONEYPOT"] = HONEYPOT
    if render_token_invalid:
        found["BAD_RENDER_TOKEN"] = BAD_RENDER_TOKEN
    # None means no render token (e.g. an API client): no evidence either way.
    if render_elapsed_s is not None and render_elapsed_s < min_submit_s:
        found["TOO_FAST"] = TOO_FAST
    if not user_agent.strip():
        found["NO_USER_AGENT"] = NO_USER_AGENT
    elif _SCRIPT_AGENTS.search(user_agent):
        found["SCRIPT_USER_AGENT"] = SCRIPT_USER_AGENT
    return found


def hosts_of(links: Links, body: str) -> list[str]:
    """Return the hosts a comment points to: its links, bare domains in its text, its author URL."""
    hosts = [_host(url) for url in dict.fromkeys(links.urls)]  # each link parsed once
    hosts += [match.group(1) for match in _HOST_IN_TEXT.finditer(fold(strip_tags(body)))]
    if links.author_url.strip():
        hosts.append(_host(links.author_url.strip()))
    return [host for host in hosts if host]


def link_signals(links: Links, body: str, word_count: int) -> dict[str, float]:
    """Return the evidence in a comment's links: how many, how dense, where they go."""
    found: dict[str, float] = {}
    count = len(links.urls)
    if count > 1:
        found["LINK_COUNT"] = min(EXTRA_LINK * (count - 1), MAX_LINK_WEIGHT)
    if count and word_count / count < 10:
        found["LINK_RATIO"] = LINK_RATIO
    if links.markup:
        found["LINK_MARKUP"] = LINK_MARKUP
    hosts = set(hosts_of(links, body))
    if any(_in_domain_list(host, "shorteners.txt") for host in hosts):
        found["SHORTENER"] = SHORTENER
    if any(host.rsplit(".", 1)[-1] in _listed("spam_tlds.txt") for host in hosts):
        found["SPAM_TLD"] = SPAM_TLD
    return found


def author_signals(author_name: str, author_email: str) -> dict[str, float]:
    """Return the evidence in who the comment says it is from."""
    found: dict[str, float] = {}
    domain = author_email.rpartition("@")[2].strip().lower()
    if domain and _in_domain_list(domain, "disposable_domains.txt"):
        found["DISPOSABLE_EMAIL"] = DISPOSABLE_EMAIL
    name = fold(author_name)
    if _NAME_IS_DOMAIN.search(name):
        found["AUTHOR_KEYWORDS"] = AUTHOR_DOMAIN
    elif _COMMERCIAL_NAME.search(name):
        found["AUTHOR_KEYWORDS"] = AUTHOR_KEYWORDS
    return found


def is_own_site(author_name: str, author_email: str, author_url: str) -> bool:
    """Tell whether an author URL is the author's own homepage: it carries the author's name.

    A reader's blog or profile ("janedoe.substack.com", "github.com/jdoe") is what the website
    field is for; an SEO spammer's is the site being promoted, named after its product. A name
    that is itself an advert or a domain owns nothing.
    """
    url = fold(author_url)
    name = fold(author_name)
    if not url.strip() or _NAME_IS_DOMAIN.search(name) or _COMMERCIAL_NAME.search(name):
        return False
    local = fold(author_email).partition("@")[0] if "@" in author_email else ""
    names = set(_NAME_PART.findall(name)[:6])
    for word in _NAME_PART.findall(local)[:4]:
        # Mail names are often a surname with an initial: "jsmith", "smithj".
        names |= {word, word[1:], word[:-1]}
    names = {word for word in names if len(word) >= 4}
    # Compare letters only: "omar-foster.example/about" carries "omarfoster".
    letters = "".join(ch for ch in url.split("://", 1)[-1] if ch.isalpha())
    return any(word in letters for word in names - _NOT_NAMES)


def praise_phrases(normalized_body: str, present: set[int] | None = None) -> int:
    """Return how many generic-praise phrases a (normalised) comment contains.

    present: the set's answer for this text, when known; without praise, no count is needed.
    """
    if present is None:
        present = _PATTERN_SET.present(normalized_body)
    return len(_PRAISE.findall(normalized_body)) if _PRAISE_INDEX in present else 0


def _spam_patterns(texts: list[str], present: list[set[int]]) -> dict[str, float]:
    """Return the weight of each spam family whose patterns occur in the texts."""
    found: dict[str, float] = {}
    for family, patterns in _FAMILIES.items():
        weight = 0.0
        for index, (_, pattern_weight) in enumerate(patterns):
            number = _PATTERN_NUMBER[family, index]
            pairs = zip(texts, present, strict=True)
            where = [searched for searched, seen in pairs if number in seen]
            if not where:
                continue
            if family == "contact" and not _is_contact(_first_contact(index, where[0])):
                continue
            weight += pattern_weight
        if weight >= 1.0:
            found[f"SPAM_PATTERN:{family}"] = min(weight, PATTERN_FAMILY_CAP)
    return found


def _first_contact(index: int, text: str) -> str:
    """Return the first match of a contact pattern known to occur in text."""
    start = _CONTACT_FIRST[index].search(text)
    # RE2 gives where the first match starts (one character early: it reads the boundary).
    match = _FAMILY_PATTERNS["contact"][index][0].search(text, start.start() if start else 0)
    return match.group(0) if match else ""


def content_signals(
    body: str, normalized_body: str, links: Links, promotes_author_url: bool
) -> dict[str, float]:
    """Return the evidence in the text itself: praise, spam patterns, shouting.

    promotes_author_url: the author URL is some site, not the author's own homepage.
    """
    found: dict[str, float] = {}
    text = strip_tags(body)
    # normalize() catches "c4sino"; fold() keeps the email addresses leetspeak mangles.
    folded = fold(text)
    texts = [normalized_body] if folded == normalized_body else [normalized_body, folded]
    present = [_PATTERN_SET.present(searched) for searched in texts]
    praise = praise_phrases(normalized_body, present[0])
    # Praise is only "generic" when it is most of what the comment says.
    if praise and (praise >= 3 or _at_most_words(normalized_body, 40)):
        if promotes_author_url or links.urls:
            found["GENERIC_PRAISE"] = min(
                PRAISE_WITH_URL + PRAISE_PER_EXTRA_HIT * (praise - 1), MAX_PRAISE_WEIGHT
            )
        else:
            found["GENERIC_PRAISE"] = min(PRAISE_WITHOUT_URL * praise, 1.2)
    if _REPEATED.search(text):
        found["REPEATED_CHARS"] = REPEATED_CHARS
    # filter/map keep the per-character work in C.
    letters = "".join(filter(str.isalpha, BARE_URL.sub(" ", text)))
    if len(letters) >= 20 and sum(map(str.isupper, letters)) / len(letters) > 0.7:
        found["SHOUTING"] = SHOUTING
    found |= _spam_patterns(texts, present)
    # A promise of money or love plus a private channel to claim it is the shape of a scam.
    if "SPAM_PATTERN:contact" in found and any(f"SPAM_PATTERN:{f}" in found for f in _PROMISES):
        found["SCAM_CONTACT"] = SCAM_CONTACT
    return found


def _at_most_words(text: str, limit: int) -> bool:
    """Tell whether text has at most limit words, reading no further than word limit + 1."""
    return next(islice(_WORD.finditer(text), limit, None), None) is None


def comment_evidence(
    item, *, min_submit_s: float, normalized_body: str | None = None, links: Links | None = None
) -> dict[str, float]:
    """Return all the evidence in the comment itself: bot, link, author and content signals."""
    if normalized_body is None:
        normalized_body = normalize(item.body)
    if links is None:
        links = find_links(item.body, item.author_url)
    found = bot_signals(
        honeypot=item.honeypot,
        render_elapsed_s=item.render_elapsed_s,
        user_agent=item.user_agent,
        min_submit_s=min_submit_s,
        render_token_invalid=item.render_token_invalid,
    )
    found |= link_signals(links, item.body, len(normalized_body.split()))
    found |= author_signals(item.author_name, item.author_email)
    # Praise from a reader who links their own blog is not SEO spam; praise that links a shop is.
    promotes_author_url = bool(item.author_url.strip()) and not is_own_site(
        item.author_name, item.author_email, item.author_url
    )
    found |= content_signals(item.body, normalized_body, links, promotes_author_url)
    return found


def host_of(url: str) -> str:
    """Return the lower-case host of a URL, with or without a scheme."""
    return _host(url)


def _is_contact(matched: str) -> bool:
    """Tell whether a contact-pattern match is real: a phone number needs ten or more digits."""
    digits = sum(ch.isdigit() for ch in matched)
    return digits == 0 or digits >= 10 or "@" in matched
