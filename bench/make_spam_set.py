# ruff: noqa: E501 - the pools below are data: sentences read better unwrapped.
"""Generate service/testing/data/spam_comments.jsonl: labelled comments under local-news articles.

Deterministic (fixed seed): run `python bench/make_spam_set.py` to rebuild the file.

Honest split: every pool of hand-written pieces is halved by position, train comments draw from
the even-indexed pieces and test comments from the odd ones, so no test sentence or template
appears in train; each flood campaign goes to one split whole. Only entities (names, products,
domains, numbers) are shared, as they are across a real site's history.

Legitimate comments deliberately include the hard cases: one link, heated language, shouting,
short generic praise, phone numbers and emails, and talk about casinos, crypto and loans.
Nobody in this set has approved comments before (no trust), and no bot fills the honeypot:
the evaluation measures text, links, authors, timing and floods, not the easy giveaways.
"""

import json
import random
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from service.testing import LABELLED_COMMENTS  # noqa: E402

SEED = 20261125
TEST_SHARE = 0.4
OUT = LABELLED_COMMENTS

ARTICLES = {
    1001: "budget", 1002: "budget", 1003: "transit", 1004: "transit", 1005: "schools",
    1006: "schools", 1007: "housing", 1008: "housing", 1009: "weather", 1010: "weather",
    1011: "police", 1012: "police", 1013: "election", 1014: "election", 1015: "health",
    1016: "health", 1017: "sports", 1018: "sports", 1019: "jobs", 1020: "jobs",
    1021: "casino", 1022: "casino", 1023: "crypto", 1024: "crypto", 1025: "loans",
    1026: "loans", 1027: "tech", 1028: "tech",
}  # fmt: skip
TOPIC_NOUN = {
    "budget": "the city budget", "transit": "the light rail delay", "schools": "the school closures",
    "housing": "rents", "weather": "the heat wave", "police": "body cameras",
    "election": "the mayoral race", "health": "ER wait times", "sports": "the stadium deal",
    "jobs": "the plant closure", "casino": "the casino proposal", "crypto": "crypto scams",
    "loans": "payday lending", "tech": "the phone ban",
}  # fmt: skip

# ---------------------------------------------------------------------------------------------
# Legitimate comments: pieces by topic
# ---------------------------------------------------------------------------------------------
OPINIONS = {
    "budget": [
        "A 4% property tax increase on top of the water rate hike is going to push seniors out of their homes.",
        "The budget funds 30 new police positions that the department can't even fill, so where does that money actually go?",
        "I'd happily pay a bit more if it meant the potholes on my street got fixed before they swallow a car.",
        "Consultants again? We paid $2.1 million for a study that told us buses are slow.",
        "Nobody on the council even read the 600-page document before voting, and it shows.",
        "Cutting library hours to save $300k while approving a new logo for $180k is absurd.",
        "The reserve fund is at its lowest in a decade and they still added spending.",
        "Credit where due, the council finally put money into sidewalk repair in the older neighborhoods.",
        "Every year it's the same story: raise taxes, blame the state, repeat.",
        "Pension obligations are eating the budget alive and nobody wants to say it out loud.",
        "If they'd audited the parks department years ago we wouldn't be in this mess.",
        "The fire department got less than it asked for again, and response times keep slipping.",
        "I read the whole thing and the capital plan is mostly deferred maintenance they've ignored for years.",
        "Small businesses downtown are already barely surviving, and the new fees won't help.",
    ],
    "transit": [
        "Two more years of delays means two more years of sitting on the interstate for an hour each way.",
        "The light rail was sold to us as on time and on budget, and now it's neither.",
        "Cutting east side bus routes hits the people who can least afford a car.",
        "Pay the drivers more and you won't have a driver shortage, it's not complicated.",
        "I ride the 14 every day and it's already standing room only by 7am.",
        "Honestly I'd rather they fixed the existing bus network than build another shiny rail line.",
        "Thirty percent over budget is what happens when nobody is accountable for change orders.",
        "Other cities our size built rail for half the price per mile, so what's different here?",
        "The stations near the hospital should have been the first phase, not the last.",
        "People who never ride transit shouldn't be the ones deciding how it gets cut.",
        "Every delay adds cost, and contractors know the city will just pay it.",
        "My commute by bus is 70 minutes; by car it's 20. That's the whole problem right there.",
        "The bike lanes on 5th are great but they don't connect to anything.",
        "If the extension is delayed anyway, run express buses on that corridor in the meantime.",
    ],
    "schools": [
        "Closing neighborhood schools means little kids crossing four-lane roads to get to class.",
        "Enrollment has been falling for ten years, so this shouldn't surprise anyone.",
        "The board held one meeting at 3pm on a weekday and called it community input.",
        "My kids' class has 31 students, so consolidating might actually bring more teachers per room.",
        "Lincoln Elementary was the heart of that neighborhood for 80 years.",
        "Chronic absenteeism is a housing and transportation problem as much as a school problem.",
        "Test scores going up is good news, and the teachers deserve the credit, not the board.",
        "Maybe stop spending on administrators and put that money into classrooms.",
        "The district bought tablets for every student and half of them are broken already.",
        "I volunteer at Roosevelt and the building literally leaks when it rains.",
        "Where are displaced students supposed to go for after-school care?",
        "Teachers are leaving for the suburbs because the pay gap is $9,000 a year.",
        "Parents have been asking for a later start time for high schoolers for years.",
        "Merging schools might save money on paper but busing costs will eat it up.",
    ],
    "housing": [
        "My rent went from $1,250 to $1,475 this year and my landlord didn't fix a single thing.",
        "We need to build more housing of every kind, period.",
        "Ending single-family zoning won't turn every block into a high rise, people need to calm down.",
        "Permits take eleven months here; in the next county over they take three.",
        "Investors buying up starter homes and renting them out is the real problem.",
        "I'm 34 with a good job and still can't afford a one-bedroom near work.",
        "Duplexes and townhomes are how most of this city was built before 1950.",
        "Parking minimums add $40,000 to every apartment and nobody talks about it.",
        "Rent control sounds nice but every economist says it reduces supply.",
        "The homeowners fighting new apartments were all renters once.",
        "There are 2,000 vacant units downtown that landlords keep empty for tax reasons.",
        "Traffic is already terrible, so where exactly are all these new residents going to park?",
        "Affordable housing requirements should apply to every new building, not just the big ones.",
        "My daughter moved to another state because she couldn't afford to live where she grew up.",
    ],
    "weather": [
        "Asking people to turn up their thermostats when it's 104 outside is not a plan.",
        "The cooling centers closed at 6pm, which is exactly when apartments are hottest.",
        "Check on your elderly neighbors, especially the ones without air conditioning.",
        "We've had three once-in-a-century floods in twelve years.",
        "The utility paid record dividends last year and still can't keep the grid up.",
        "The river neighborhoods flood because the city let developers pave over the wetlands.",
        "FEMA was there in two days, the city took a week to pick up the debris.",
        "Plant more trees; the neighborhoods without canopy are ten degrees hotter.",
        "Buyouts for the worst-hit homes would be cheaper than rebuilding them every few years.",
        "My power was out for 19 hours and the outage map said everything was fine.",
        "Volunteers did more for the cleanup than any agency did.",
        "It's summer, it gets hot, I don't get why this is front page news.",
        "The storm drains on our block haven't been cleaned in years.",
        "Outdoor workers need mandatory water and shade breaks, not just recommendations.",
    ],
    "police": [
        "Body cameras protect good officers as much as they protect the public.",
        "The footage is useless if the department gets to decide when to release it.",
        "My car got broken into twice in one month and nobody even came to take a report.",
        "Response times in my neighborhood are over 40 minutes for non-emergencies.",
        "They need more officers walking beats downtown, not more cruisers.",
        "The review board has no power, so of course nothing changes.",
        "Most break-ins are people leaving bags visible in the car, lock it up and hide your stuff.",
        "I support the police, but cameras should be on every time they interact with the public.",
        "Crime is down overall, but you wouldn't know it from the headlines.",
        "Funding mental health responders would free up officers for actual crimes.",
        "The garage on 3rd has had broken lights for months, no wonder cars get hit there.",
        "Officers are quitting faster than the academy can replace them.",
        "Transparency costs money, and it's money well spent.",
        "Catalytic converter thefts on our street have gone way down since the new patrols started.",
    ],
    "election": [
        "Neither candidate gave a straight answer on homelessness during the whole debate.",
        "Turnout this low means a tiny slice of the city picks the mayor for everyone.",
        "Holding the primary in August when everyone is on vacation guarantees low turnout.",
        "I liked that she actually had numbers for her housing plan.",
        "He talks about cutting taxes but won't name a single thing he'd cut.",
        "The moderators let them talk over each other the entire time.",
        "Ranked choice voting would fix half the complaints in this comment section.",
        "Outside money is flooding this race and it's disgusting.",
        "I'm voting for whoever fixes the roads, I don't care about party.",
        "His record on the council is mixed at best, look at how he voted on the transit plan.",
        "Early voting sites should be open on weekends.",
        "Both of them are career politicians who've never run anything.",
        "The debate should have been on a weeknight evening when working people could watch it.",
        "Mail ballots made voting easy for me, I don't understand why turnout was so low.",
    ],
    "health": [
        "Six hours in the ER with my daughter's broken arm, and the staff were doing their absolute best.",
        "The hospital closed two urgent care clinics and now everyone goes to the ER.",
        "Nurses are burned out and understaffed, that's why waits are so long.",
        "Get your flu shot, it takes ten minutes at any pharmacy.",
        "The county spent millions on a new wing and then couldn't staff it.",
        "My father waited nine hours on a gurney in a hallway.",
        "Wash your hands and stay home when you're sick, it's not rocket science.",
        "The billing department is faster than the ER, I'll give them that.",
        "Rural clinics closing pushes everyone into the county hospital.",
        "We need more primary care doctors so people don't use the ER as their doctor.",
        "RSV hit our daycare hard, half the kids were out for two weeks.",
        "Travel nurses cost three times as much as paying staff nurses properly.",
        "Telehealth saved me two ER visits this year.",
        "The new triage system seems to help the sickest patients get seen first.",
    ],
    "sports": [
        "Firing the coach won't fix a roster with no depth.",
        "Six hundred million in public money for a stadium is corporate welfare.",
        "Every economist says stadiums don't pay for themselves.",
        "That fourth quarter collapse was the worst I've seen in 30 years of watching this team.",
        "Let the billionaire owner pay for his own stadium.",
        "The old stadium is falling apart, but that's because the owner never maintained it.",
        "He took this team to the playoffs three times, show some respect.",
        "If they move the team, fine, the taxpayers will be better off.",
        "The defense gave up 21 points in ten minutes, that's on the coordinator.",
        "Youth fields in this city are a disgrace while we debate luxury boxes.",
        "The stadium deal includes a parking garage the city will own and the team will profit from.",
        "Game day traffic already shuts down half of downtown.",
        "I've had season tickets since 1998, and the prices have tripled.",
        "Draft better and you won't need to fire a coach every three years.",
    ],
    "jobs": [
        "Eight hundred families just lost their income right before the holidays.",
        "The company took $40 million in tax breaks and still left.",
        "The unemployment rate doesn't count people who gave up looking.",
        "Those were good union jobs with pensions, they're not coming back.",
        "Retraining programs sound great, but the community college has a waitlist.",
        "Hiring is up, but wages still haven't caught up with rent.",
        "We keep chasing one big employer instead of supporting small businesses.",
        "My husband worked at the plant for 22 years, he's 58 and has no idea what's next.",
        "The suppliers and restaurants around the plant will close too.",
        "Clawback clauses should be in every tax incentive deal.",
        "Warehouse jobs are replacing factory jobs at two-thirds the pay.",
        "The city should buy the site and turn it into something useful.",
        "Good news on hiring, but most of the new jobs are part-time.",
        "Every plant closure story ends with officials saying they're 'disappointed'.",
    ],
    "casino": [
        "The casino will bring traffic, crime and addiction to a residential neighborhood.",
        "A riverfront casino is better than the empty warehouses that are there now.",
        "Casinos take money out of the local economy, they don't bring it in.",
        "The jobs will be low wage, and the profits will leave the state.",
        "My brother lost his house to gambling, so forgive me if I'm not excited.",
        "The tribe has every right to build on its own land.",
        "Online sports betting ads are on every single broadcast now, it's relentless.",
        "The state is hooked on gambling revenue just like the gamblers are.",
        "My son's friends all have betting apps, they're 19 and already in debt.",
        "The help lines getting more calls was completely predictable.",
        "Nobody voted to turn every phone into a slot machine.",
        "If the casino pays for the road improvements, I'm fine with it.",
        "The ads promise free bets and bonuses but the fine print is brutal.",
        "Problem gambling funding is a fraction of what the state collects in taxes.",
    ],
    "crypto": [
        "Those crypto ATMs should be banned, they exist to launder scam money.",
        "My mother got a call from a 'bank investigator' telling her to move her savings into bitcoin.",
        "If someone tells you to pay with bitcoin or gift cards, it's a scam, every time.",
        "Bitcoin hitting a new high doesn't change the fact that it's useless for buying groceries.",
        "Crypto mining uses more electricity than some countries, and our rates keep going up.",
        "I bought some bitcoin in 2017 and lost half of it, lesson learned.",
        "The state should require ATM operators to refund victims.",
        "Banks should flag it when an 80-year-old suddenly withdraws $30,000 in cash.",
        "I actually hold some crypto and even I think these ATMs are predatory.",
        "The mining operation outside town is loud 24/7, the neighbors are miserable.",
        "Scammers are using WhatsApp and text messages to reach older people now.",
        "Nobody from a government agency will ever ask you to pay in crypto.",
        "Investing in bitcoin is gambling with extra steps.",
        "Talk to your parents about these scams before someone else talks to them first.",
    ],
    "loans": [
        "A 36% cap is still a lot of interest, but it's better than 400%.",
        "Payday lenders prey on people with bad credit who have no other options.",
        "Without payday loans some people will turn to worse lenders, so what's the alternative?",
        "Credit unions should offer small emergency loans at reasonable rates.",
        "I took out a payday loan once and it took me a year to get out of that cycle.",
        "Student loan servicers lost my paperwork three times.",
        "My payment went from $0 to $412 a month overnight.",
        "The loan forgiveness program is a maze of forms designed to make you give up.",
        "Financial literacy should be a required class in high school.",
        "The lenders will just move online and ignore the cap.",
        "Title loan shops are on every corner in the poorer parts of town.",
        "People borrow $400 because they don't have $400 for a car repair, that's the real problem.",
        "The servicer told me one thing and the website said another.",
        "Good, these lenders have bled this community dry for decades.",
    ],
    "tech": [
        "Banning phones in class is the best decision the board has made in years.",
        "Teachers have been asking for this for a decade.",
        "What happens in an emergency if kids can't reach their parents?",
        "Kids will just hide them, enforcement is going to be a nightmare.",
        "AI triage for 911 calls makes me nervous, a person should always answer.",
        "If the AI can handle non-emergency calls, dispatchers can focus on real emergencies.",
        "The pilot has no public evaluation plan, so how will we know if it works?",
        "My son's grades went up when his phone stayed in the locker.",
        "Social media is doing real damage to teenagers, the research is clear.",
        "Who is liable when the software gets a call wrong?",
        "The district can't keep the wifi working but they're worried about phones.",
        "Magnetic pouches cost $30 each, that's a lot of money for something a drawer could do.",
        "Dispatch is understaffed, so I understand why they're trying this.",
        "Parents need to set the example, half of us are glued to our phones too.",
    ],
}
QUESTIONS = {
    "budget": [
        "Does anyone know when the next public hearing on the budget is?",
        "How much of the increase goes to pensions versus services?",
        "Why wasn't the consultant contract put out for bid?",
        "Can someone explain why the library cut was necessary?",
    ],
    "transit": [
        "Will the bus routes come back once they hire more drivers?",
        "Who approved the change orders, and why?",
        "Is there a timeline for the hospital station now?",
        "Why can't they run express buses in the meantime?",
    ],
    "schools": [
        "Where will the students from Lincoln be assigned?",
        "Is the district selling the buildings or keeping them?",
        "What does chronic absenteeism mean exactly, how many days?",
        "Will bus routes change for middle schoolers too?",
    ],
    "housing": [
        "What's the vacancy rate right now?",
        "Does the zoning change apply to my neighborhood?",
        "How many affordable units were actually built last year?",
        "Why do permits take so long here?",
    ],
    "weather": [
        "Are the cooling centers open on weekends?",
        "Is the city doing anything about the storm drains?",
        "Who do I call to get debris picked up?",
        "How many homes are eligible for buyouts?",
    ],
    "police": [
        "When will the body camera policy take effect?",
        "Is there a way to report a break-in online?",
        "How many officers does the department have right now?",
        "Who decides when footage is released?",
    ],
    "election": [
        "When is the last day to register?",
        "Where can I watch the full debate?",
        "Who is funding the outside ads?",
        "Are there early voting sites on the east side?",
    ],
    "health": [
        "Is the urgent care on Main still open at night?",
        "Where can I get an RSV shot for my mom?",
        "Why did the hospital close the clinics?",
        "Are the wait times better at the north campus?",
    ],
    "sports": [
        "How much of the $600 million is from the state versus the city?",
        "Who are the candidates to replace him?",
        "Is there a public vote on the stadium deal?",
        "Does the team pay rent on the stadium?",
    ],
    "jobs": [
        "Are the workers getting severance?",
        "What is the company doing with the building?",
        "Is the state going to claw back the tax breaks?",
        "Where can displaced workers sign up for retraining?",
    ],
    "casino": [
        "How many jobs does the casino promise, and at what wages?",
        "Who pays for the road improvements?",
        "Is there a public hearing before the final vote?",
        "How much tax revenue did sports betting bring in last year?",
    ],
    "crypto": [
        "Which ATMs are they talking about, are any in our county?",
        "Can victims get their money back at all?",
        "Who regulates these machines right now?",
        "How do I report a scam call?",
    ],
    "loans": [
        "Does the cap apply to online lenders too?",
        "When does the new law take effect?",
        "Who do I call if my servicer keeps losing my forms?",
        "Does the cap cover title loans?",
    ],
    "tech": [
        "What happens to phones that get confiscated?",
        "Is the 911 pilot citywide or just one district?",
        "Can parents opt out of the phone ban?",
        "Who built the AI system the city is testing?",
    ],
}
SOURCES = {
    "budget": [
        "https://www.springfieldcity.gov/finance/fy2027-adopted-budget.pdf",
        "https://springfield.legistar.com/MeetingDetail.aspx?ID=1123456",
        "https://www.youtube.com/watch?v=Xk3pQ7r2LmA",
    ],
    "transit": [
        "https://www.transit.dot.gov/ntd/transit-agency-profiles",
        "https://en.wikipedia.org/wiki/Light_rail_in_the_United_States",
        "https://www.metrotransit.org/service-changes",
    ],
    "schools": [
        "https://www.springfieldschools.org/board/meetings",
        "https://nces.ed.gov/fastfacts/display.asp?id=372",
        "https://www.edweek.org/leadership/chronic-absenteeism-explained",
    ],
    "housing": [
        "https://www.huduser.gov/portal/datasets/fmr.html",
        "https://www.census.gov/housing/hvs/index.html",
        "https://en.wikipedia.org/wiki/Exclusionary_zoning",
    ],
    "weather": [
        "https://www.weather.gov/safety/heat",
        "https://www.fema.gov/flood-maps",
        "https://www.ready.gov/heat",
    ],
    "police": [
        "https://www.springfieldpd.org/transparency/body-worn-cameras",
        "https://www.bjs.gov/content/pub/pdf/bwc.pdf",
        "https://www.propublica.org/article/police-body-cameras-video-footage",
    ],
    "election": [
        "https://vote.springfieldcounty.gov/early-voting",
        "https://ballotpedia.org/Ranked-choice_voting_(RCV)",
        "https://www.youtube.com/watch?v=dB7ZqP0u1Ys",
    ],
    "health": [
        "https://www.cdc.gov/flu/prevent/flushot.htm",
        "https://www.cdc.gov/rsv/index.html",
        "https://www.kff.org/health-costs/emergency-department-wait-times",
    ],
    "sports": [
        "https://www.brookings.edu/articles/sports-jobs-taxes-are-new-stadiums-worth-the-cost/",
        "https://www.espn.com/nfl/story/_/id/40123456/coach-fired",
        "https://en.wikipedia.org/wiki/Stadium_subsidies",
    ],
    "jobs": [
        "https://www.bls.gov/news.release/empsit.nr0.htm",
        "https://www.goodjobsfirst.org/subsidy-tracker",
        "https://www.dol.gov/agencies/eta/layoffs/warn",
    ],
    "casino": [
        "https://www.ncpgambling.org/help-treatment/",
        "https://www.americangaming.org/research/state-gaming-map/",
        "https://en.wikipedia.org/wiki/Indian_Gaming_Regulatory_Act",
    ],
    "crypto": [
        "https://www.ftc.gov/news-events/data-visualizations/data-spotlight/2024/09/bitcoin-atms",
        "https://www.ic3.gov/",
        "https://consumer.ftc.gov/articles/what-know-about-cryptocurrency-and-scams",
    ],
    "loans": [
        "https://www.consumerfinance.gov/ask-cfpb/what-is-a-payday-loan-en-1567/",
        "https://studentaid.gov/manage-loans/repayment",
        "https://www.pewtrusts.org/en/research-and-analysis/reports/2012/07/19/who-borrows-where-they-borrow-and-why",
    ],
    "tech": [
        "https://www.pewresearch.org/internet/2024/06/12/teens-and-smartphones/",
        "https://www.nytimes.com/2025/01/10/technology/school-phone-bans.html",
        "https://www.nena.org/page/911Statistics",
    ],
}
LINK_INTROS = [
    "Here's the actual report: {url}",
    "Source: {url}",
    "For context, see {url}",
    "Worth reading before you comment: {url}",
    "Data here: {url}",
    "If you want the numbers: {url}",
    "The full document is online: {url}",
    "Previous coverage on this: {url}",
    "Read it yourself ({url}) instead of trusting the headline.",
    "More background: {url}",
    "I found this helpful: {url}",
    "The meeting video is here {url}",
    "See page 12 here: {url}",
    "This explains it better than I can: {url}",
]
OPENERS = [
    "Honestly, I'm not surprised.",
    "Long-time reader, first-time commenter.",
    "As someone who has lived here for 30 years, I have thoughts.",
    "Here we go again.",
    "Let's be real for a second.",
    "I hate to say it, but I saw this coming.",
    "As a parent of two, this hits home.",
    "Speaking as a small business owner:",
    "Unpopular opinion incoming.",
    "Born and raised here.",
    "Former city employee here.",
    "I read the whole article twice.",
    "Not to be negative, but",
    "Respectfully, I disagree with most of the comments here.",
    "This is the third time this year we've had this conversation.",
    "Okay, hear me out.",
    "I went to the meeting last night.",
    "Retired teacher here.",
    "Typical.",
    "Well, that figures.",
]
HEATED = [
    "This is a disgrace.",
    "Absolutely pathetic.",
    "What a joke.",
    "Unbelievable!!!",
    "Are you kidding me?",
    "These clowns never learn.",
    "Incompetence from top to bottom.",
    "Vote every single one of them out.",
    "I am so sick of this.",
    "Shameful, just shameful.",
    "Nobody is ever held accountable. NOBODY.",
    "Wake up, people!",
    "Give me a break.",
    "This makes my blood boil.",
    "How is this even legal?",
    "Outrageous.",
    "I'm DONE with this city.",
    "Enough is enough!",
    "What a colossal waste of money.",
    "Spare me the excuses.",
]
CLOSERS = [
    "Just my two cents.",
    "Rant over.",
    "Thanks for reporting on this.",
    "Good reporting, by the way.",
    "We'll see what happens in November.",
    "Time will tell.",
    "Somebody please explain.",
    "Do better.",
    "Sad.",
    "Stay safe out there, everyone.",
    "Appreciate the follow-up coverage.",
    "Would love a follow-up story on this.",
    "I'll be at the next council meeting.",
    "Call your representatives.",
    "Not holding my breath.",
    "Prove me wrong.",
    "Anyway, that's how I see it.",
    "Hope I'm wrong.",
    "Let's see if anyone listens.",
    "End of story.",
]
# Whole comments written as readers write them: short reactions, corrections, replies,
# personal stories, praise with specifics (and without), other languages, emoji, shouting.
STANDALONE = [
    "Finally.",
    "About time!",
    "Good.",
    "Wow.",
    "This is great news for the neighborhood.",
    "Small correction: the vote was 5-2, not 6-1. Two members were absent for the first reading.",
    "The photo caption says Main Street but that's clearly 5th Avenue by the old bank.",
    "Typo in the third paragraph: 'counsel' should be 'council'.",
    "@Mike_R you obviously didn't read past the headline.",
    "Replying to Janet: the money comes from a state grant, not local property taxes.",
    "To the person asking about parking: the garage on Elm is free after 6pm.",
    "Thank you for covering this. The TV stations ignored it completely.",
    "Great reporting. Please keep following this story.",
    "This is why I pay for a subscription. Excellent work, Maria.",
    "Great article, thanks for sharing.",
    "Thank you for covering this.",
    "Very informative, thank you.",
    "My dad worked at that plant for 31 years. This is heartbreaking for our town.",
    "RIP. He coached my son's little league team for years. A genuinely good man.",
    "👏👏👏 finally someone said it",
    "😂 of course they did",
    "THIS IS WHY NOBODY TRUSTS THE SCHOOL BOARD!!!",
    "STOP RAISING OUR TAXES. WE CAN'T AFFORD IT ANYMORE.",
    "Does anyone know if the library will still be open on Sundays?",
    "If anyone needs help with flood cleanup, the Red Cross line is 1-800-733-2767.",
    "The county is taking public comments until Friday at publiccomment@springfieldcounty.gov, please write in.",
    "My mother got a WhatsApp message from someone claiming to be my nephew asking for bitcoin. Thankfully she called me first.",
    "The betting ads are everywhere now, 'free spins', 'no deposit bonus', all of it. My teenage son sees them constantly.",
    "Muy buen artículo. Ojalá el concejo escuche a los vecinos del barrio.",
    "¿Alguien sabe si habrá una reunión pública sobre esto?",
    "Esto es una vergüenza. Llevamos años pidiendo un semáforo en esa esquina.",
    "Merci pour cet article, c'est exactement ce qui se passe dans notre quartier.",
    "I've lived on the east side for 40 years and I have never seen the buses this bad. My neighbor, who is 81, waited an hour in the cold last Tuesday. An hour! Somebody at city hall should have to ride the 22 for a week.",
    "Lots of anger in these comments, which I understand.\n\nBut the council members are our neighbors, and most of them are doing an unpaid job in their spare time. Go to a meeting before you call them crooks.",
    "Not sure why this is a story. The numbers are within normal range for this time of year.",
    "Who wrote this headline? The article says the opposite.",
    "I emailed my council member about this twice and never got a reply.",
    "Good. Now do the same for the county.",
    "Bookmarking this for the next time someone tells me rents are going down.",
    "Sounds like a lot of money for not much.",
    "This comment section is a dumpster fire, as usual.",
    "Can you add a map next time? Hard to picture where this is.",
    "Is there a recording of the meeting? I couldn't make it.",
    "My grandmother used to say this town would never change. She was wrong.",
    "I run a food truck and the new permit fees doubled my costs. Nobody asked us.",
    "The reporter did a great job explaining a complicated issue. Thank you.",
    "Correction needed: the hospital is county-owned, not private.",
    "Well said, Tom. Couldn't agree more.",
    "This is the best news I've read all week.",
    "I don't usually comment but this one got me. Our street has flooded four times since 2019.",
    "Thanks for the explainer, I finally understand what a millage rate is.",
    "Wow, the comments here are so much nicer than on Facebook.",
    "Cool story. Still no sidewalk on my street.",
    "Hang in there, everybody on Riverside. We're thinking of you.",
    "Nice to see some good news for a change!",
    "Excellent piece. The part about the pension fund was eye-opening.",
    "So the council gets a raise and we get a tax hike. Got it.",
    "I'm a nurse in that ER. We are begging for more staff. Please keep writing about this.",
    "Congrats to the students! Well deserved.",
    "This has been a problem since the 90s and every mayor promised to fix it.",
    "lol of course the consultants got paid",
    "Agree 100% with the editorial. Enough studies, build something.",
    "Interesting read. I didn't know the city owned the land.",
    "Here's a thought: ask the people who actually live there.",
    "Please do a story on the intersection at Oak and 9th. Someone is going to get killed.",
    "Thanks for sharing this, I forwarded it to my neighborhood group.",
    "My sister lost $12,000 to one of those crypto ATM scams. The police said there was nothing they could do.",
    "We took out a payday loan when my husband was laid off. Never again. The fees were more than the loan.",
    "I work at the casino in Milltown. Decent benefits, but the hours are brutal.",
    "Heat index was 112 on our porch today. Stay inside, folks.",
    "Our HOA just sent a letter about this. Nobody knows what's going on.",
    "The old mill site would make a great park. Just saying.",
    "I can't believe it took a lawsuit to get this done.",
    "Loved this profile. More stories like this, please!",
    "Fun fact: the same thing happened in 1987 and they made the same promises.",
    "These are the kinds of stories local news is for. Thank you.",
    "Sigh. Again?",
    "Nope.",
    "So what's the plan B?",
    "Can't wait to see how this ends up costing twice as much.",
    "Anyone else get the robocall about this last night?",
    "I trust the nurses, not the administrators.",
    "This town deserves better than this.",
]
ANECDOTES = [
    "My neighbor has been dealing with this for months.",
    "I asked about this at the last town hall and got a non-answer.",
    "We moved here in 2015 and it was already an issue then.",
    "My kids ask me about this stuff and I honestly don't know what to tell them.",
    "I called the city hotline and was on hold for 45 minutes.",
    "A friend who works for the county says it's even worse than reported.",
    "My family has been here four generations.",
    "I used to work in that department, and nothing about this surprises me.",
    "We talked about this at church on Sunday and everyone agreed.",
    "My husband and I went back and forth on this over dinner.",
    "I drive past it every day on the way to work.",
    "I've written to the paper about this before.",
]

# ---------------------------------------------------------------------------------------------
# People, places, devices
# ---------------------------------------------------------------------------------------------
FIRST = [
    "Mike",
    "Janet",
    "Tom",
    "Maria",
    "Linda",
    "Dave",
    "Priya",
    "Carlos",
    "Susan",
    "Kevin",
    "Angela",
    "Brian",
    "Jen",
    "Robert",
    "Ahmed",
    "Grace",
    "Luis",
    "Karen",
    "Steve",
    "Nicole",
    "Omar",
    "Beth",
    "Tyrone",
    "Wei",
    "Denise",
    "Frank",
    "Rosa",
    "Paul",
    "Tanya",
    "Greg",
    "Heather",
    "Jamal",
    "Megan",
    "Victor",
    "Diane",
    "Andre",
    "Lisa",
    "Raj",
    "Sharon",
    "Hector",
]
LAST = [
    "Miller",
    "Nguyen",
    "Johnson",
    "Garcia",
    "Okafor",
    "Smith",
    "Patel",
    "Kowalski",
    "Brown",
    "Rodriguez",
    "Chen",
    "Williams",
    "O'Brien",
    "Jackson",
    "Schmidt",
    "Lopez",
    "Davis",
    "Kim",
    "Moore",
    "Haddad",
    "Walsh",
    "Turner",
    "Reyes",
    "Foster",
    "Novak",
]
HANDLES = [
    "concerned_parent",
    "eastside_dad",
    "TaxpayerInSpringfield",
    "RiversideRenter",
    "oldtimer62",
    "bus_rider_14",
    "SkepticalVoter",
    "hoopsfan88",
    "nurse_jackie",
    "Anonymous",
    "just_a_local",
    "MapleStreetMom",
    "retired_teacher",
    "civic_nerd",
    "SpringfieldNative",
    "Independent Voter",
    "Guest",
    "northside_neighbor",
]
FREEMAIL = [
    "gmail.com",
    "yahoo.com",
    "outlook.com",
    "hotmail.com",
    "icloud.com",
    "aol.com",
    "proton.me",
    "comcast.net",
    "att.net",
]
WORKMAIL = [
    "springfieldschools.org",
    "mercyhealth.org",
    "stateu.edu",
    "acme-hvac.com",
    "lawfirm-llp.com",
    "cityofspringfield.gov",
]
PERSONAL_SITES = [
    "https://{first}{last}.substack.com",
    "https://{first}writes.wordpress.com",
    "https://github.com/{first}{last}",
    "https://www.{last}family.net",
    "https://{first}{last}.blogspot.com",
    "https://www.linkedin.com/in/{first}-{last}",
    "https://{first}{last}.com",
    "https://medium.com/@{first}{last}",
]
BROWSER_AGENTS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.6723.107 Mobile Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (iPad; CPU OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 Edg/130.0.0.0",
]
SCRIPT_AGENTS = ["python-requests/2.32.3", "curl/8.5.0", "Go-http-client/1.1", "Java/17.0.2"]

# ---------------------------------------------------------------------------------------------
# Spam: pools of templates (halved into train and test like the pieces above)
# ---------------------------------------------------------------------------------------------
PRODUCTS = [
    "replica watches",
    "cheap flights",
    "VPN deals",
    "essay writing help",
    "CBD oil",
    "weight loss pills",
    "Instagram followers",
    "web hosting",
    "car insurance quotes",
    "replica handbags",
    "sunglasses outlet",
    "HVAC repair",
    "roofing contractors",
    "moving services",
    "hair transplant Istanbul",
    "keto gummies",
    "IPTV subscription",
    "dissertation help",
    "cheap car rental",
    "SEO backlinks",
    "mobile app development",
    "online degrees",
    "phone spy app",
    "teeth whitening kits",
    "designer sneakers",
    "gold IRA",
    "solar panels",
    "home security cameras",
    "custom t-shirts",
    "forex signals",
]
LINK_SPAM = [
    "Looking for {product}? We have the best prices online: {url}",
    '<a href="{url}">{kw}</a> <a href="{url2}">{kw2}</a> <a href="{url3}">{kw3}</a>',
    "[url={url}]{kw}[/url] [url={url2}]{kw2}[/url]",
    "{kw}, {kw2}, {kw3}. Visit {url} and {url2}",
    "I got my {product} from {url} and it was fast and cheap. Highly recommend! Also check {url2}",
    "Best {product} 2026 -> {url}",
    "For anyone interested in {product}: {url} | {url2} | {url3}",
    'Cheap {product}: <a href="{url}">{kw}</a>. Order today, free shipping worldwide.',
    "{product} at 70% off today only {url}",
    "Hello everyone, I recommend {url} for {product}. Great quality and support 24/7.",
    "Check out this {product} website {url} you will not regret",
    "{kw} {url} {kw2} {url2}",
    "Thanks for the article. By the way if you need {product} go to {url}",
    "Top rated {product} review site: {url} ({kw})",
    "Need {product}? <a href='{url}'>Click here</a> for a free quote.",
    "Discount {product} {url} discount {product2} {url2}",
    "Get {product} without leaving home: {url}",
    "Our company offers {product}. Visit us: {url} or call +1 {phone}",
    "Sorry for off-topic but {product} is on sale here {url}",
    "{product} {product2} {product3} {url}",
    "Interesting. Speaking of {product}, I found a great deal here {url}, worth a look.",
    "Best place for {product} in 2026, trusted by thousands: {url}",
    "If you are searching for {product}, visit our website {url} for more information.",
    "{kw} - {url}\n{kw2} - {url2}\n{kw3} - {url3}",
]
SEO_OPENERS = [
    "Great post!",
    "Hi there!",
    "Hello admin,",
    "Wow, awesome article.",
    "Very nice post.",
    "Thank you for this wonderful article.",
    "Nice blog here!",
    "Howdy!",
    "Good day!",
    "Excellent write-up.",
    "Hey there,",
    "I must say,",
    "Fantastic read.",
    "Superb article.",
    "Hi, I do think this is an excellent website.",
    "Greetings!",
    "Hello to every one.",
    "Wonderful blog!",
    "Hey! Quick question.",
    "What's up everyone,",
]
SEO_BODIES = [
    "I really enjoyed reading this and I learned a lot.",
    "This is exactly the information I was looking for.",
    "Your writing style is very engaging and easy to follow.",
    "I have bookmarked your site and will be checking back soon.",
    "I found your blog via Google while searching for a related topic.",
    "It's rare to find such useful information on the internet these days.",
    "You have made some really good points there.",
    "I will share this with my friends on Facebook.",
    "Your site loads very fast, what host are you using?",
    "Is this a paid theme or did you customize it yourself?",
    "I've been browsing online more than three hours today, yet I never found any interesting article like yours.",
    "Keep writing such valuable content.",
    "I subscribed to your RSS feed.",
    "This paragraph offers clear idea for the new viewers of blogging.",
    "Your article helped me a lot, is there any more related content?",
    "I am going to bookmark this page and come back later.",
    "The points you made are very helpful for beginners like me.",
    "It's a pity you don't have a donate button!",
    "Do you mind if I quote a couple of your posts as long as I provide credit back to your webpage?",
    "I was wondering if you ever thought of changing the layout of your blog?",
    "Thanks for this article about {topic}, very informative.",
    "I learned so much about {topic} from this post.",
    "Your explanation of {topic} is the best I have read.",
    "Very useful information about {topic}, I will recommend it to my readers.",
]
SEO_CLOSERS = [
    "Keep up the good work!",
    "Thanks for sharing.",
    "Looking forward to your next post.",
    "Cheers!",
    "Best regards.",
    "Will visit again.",
    "Thank you so much!",
    "Please keep posting.",
    "Regards.",
    "Keep it up!",
    "Thanks a lot!",
    "Bless you.",
]
SERVICES = [
    "Plumber",
    "Roofing Company",
    "SEO Expert",
    "Web Design",
    "Car Rental",
    "Movers",
    "Dentist",
    "Locksmith",
    "Personal Injury Lawyer",
    "Carpet Cleaning",
    "Digital Marketing Agency",
    "Junk Removal",
    "Tree Service",
    "Pest Control",
    "Limo Service",
    "Bail Bonds",
]
CITIES = [
    "Austin",
    "Dallas",
    "Delhi",
    "Dubai",
    "Miami",
    "Toronto",
    "London",
    "Lagos",
    "Sydney",
    "Phoenix",
    "Houston",
    "Manila",
]
SCAM = {
    "crypto": [
        "I was scammed out of $47,000 in a fake crypto investment. Thanks to {hacker} I recovered all my funds. Contact them via email: {email} or WhatsApp {phone}.",
        "Bitcoin has changed my life! I started with $1,000 and now I make $12,500 every week with the help of {expert}. You can reach her on Telegram @{handle}.",
        "Anyone still struggling with money should try investing in crypto with {expert}, an expert trader who helped me earn $34,000 in 3 weeks. WhatsApp: {phone}",
        "Thank you {expert} for the returns on my investment. I received $18,300 profit within 10 days. Message him on WhatsApp {phone} to get started.",
        "While others complain about the economy, I'm earning passive income with bitcoin trading. My account manager {expert} is the best. Contact: {email}",
        "Don't fall for fake brokers. I lost my savings until I met {hacker}, a recovery expert who got my BTC back. Email {email}.",
        "With inflation this bad, investing in forex with {expert} is the smartest move I made. $5,000 became $41,000. Telegram: @{handle}",
        "{expert} is legit!!! I withdrew my profit of $22,000 today. Contact her now: WhatsApp {phone}",
        "Crypto mining platform pays 3% daily, minimum deposit $200, withdraw anytime. Join here: {url}",
        "My husband and I have been investing with {expert} for 6 months and the payouts have been consistent every week. WhatsApp {phone}",
        "If you lost money to scammers, contact {hacker} at {email}. They recovered my stolen crypto in 48 hours.",
        "I never believed in bitcoin until {expert} showed me how to trade. Now I earn $3,500 weekly from home. Text her on WhatsApp {phone}.",
        "This article is so true, times are hard. That is why I started trading crypto with {expert} and my portfolio grew 400%. Reach him at {email}",
        "Honest review: {expert} helped me grow $2,000 into $26,000 with bitcoin signals. Telegram @{handle}",
        "Lost your bitcoin to a fake investment site? {hacker} can trace and recover it. WhatsApp {phone} or email {email}",
        "Investing in USDT with {expert} gives me a steady profit of $4,000 per week. God bless her. WhatsApp {phone}",
    ],
    "loan": [
        "Do you need a loan? We offer personal and business loans at 2% interest rate. No credit check. Contact us: {email}",
        "Are you in debt? Get a loan today from {lender}, a legit loan lender. Apply now on WhatsApp {phone}.",
        "I got a loan of $50,000 from {lender} in 24 hours after the banks rejected me. Email them: {email}",
        "Urgent loan offer! Quick loans from $5,000 to $500,000, guaranteed approval. Contact {email}",
        "Financial help for everyone: instant loan approval, bad credit ok. Apply now at {url}",
        "I want to testify about {lender} who gave me a loan when I was about to lose my house. Contact him: {email}",
        "Need cash fast? Get approved within 1 hour, no paperwork. Visit {url}",
        "Loan offer at 3% interest rate for individuals and companies. Reply to {email} for more details.",
        "Stop suffering with debt. {lender} gives genuine loans to everyone, no collateral. WhatsApp {phone}",
        "Hello, are you looking for a reliable lender? We give loans from $2,000 to $2,000,000. Email {email}",
        "Payday loans online with instant approval and no credit check. Get your cash today: {url}",
        "Get a business loan with an interest rate of 1.5% per year. Contact {lender} on {email}",
    ],
    "casino": [
        "Best online casino 2026: 200 free spins no deposit bonus at {url}",
        "I won $8,400 playing slots at {brand}! Use bonus code {code} for a welcome bonus: {url}",
        "Looking for real money poker? Join {brand} today {url}",
        "Sports betting tips that win 90% of the time. Join our Telegram @{handle}",
        "Jackpot! Play online slots and win big at {url}",
        "Top betting sites with the highest odds and instant payouts: {url}",
        "Casino bonus codes updated daily: {url}",
        "New players get a 300% deposit bonus at {brand}. Play now: {url}",
        "Tired of losing? Our betting app gives you sure odds every day. Download: {url}",
        "{brand} online casino pays out within 5 minutes. Free spins for new accounts {url}",
    ],
    "dating": [
        "Hi, I am {girl}, 24, looking for a serious man. Write me at {email} and I will send my photos.",
        "Hot singles in your area are waiting for you: {url}",
        "Lonely? Meet local girls tonight, free registration {url}",
        "Hey, I saw your comment and I like you. Message me on WhatsApp {phone} xoxo",
        "Bored at home? My private photos are here {url}",
        "I'm {girl} from Kyiv, looking for friendship and maybe more. Contact me: {email}",
        "Want to chat with sexy girls? No credit card needed {url}",
        "I am a lonely widow looking for an honest man to share my life with. Email me: {email}",
    ],
    "earn": [
        "I am making $95 an hour working from home. I never thought it was possible but my friend showed me. Copy this site: {url}",
        "Start earning $500 per day online with no experience needed. Details here: {url}",
        "My neighbor earns $14,000 a month from her laptop. Everybody can do this job, just open this link {url}",
        "Google is paying $90 per hour for simple online tasks. Check it out at {url}",
        "I quit my office job and now make $7,000 a week from home. Here is what I do: {url}",
        "Earn extra income from your phone in your free time. Sign up today at {url}",
        "Single mom makes $8,750 per month from home with this simple method {url}",
        "I get paid $300 for every 4 hours I work online. Start today: {url}",
    ],
    "spell": [
        "My husband left me for another woman. I contacted Dr. {doc}, a powerful spell caster, and within 48 hours he came back. Email {email} or WhatsApp {phone}.",
        "I was cured of herpes by Dr. {doc}'s herbal medicine. Contact him on {email}.",
        "Dr. {doc} brought back my ex lover with a love spell. Contact: {email}",
        "Thanks to Dr. {doc} my marriage is restored. If you need help with your relationship contact him {email}",
        "Dr. {doc} helped me win the lottery with his powerful spell. WhatsApp {phone}",
        "Do you want your ex back? Contact the great spell temple of Dr. {doc} at {email}",
    ],
    "pharma": [
        "Buy Viagra online without prescription, 90% discount: {url}",
        "Cheap Cialis and generic pills, next day delivery {url}",
        "Order tramadol and Xanax online, no prescription needed {url}",
        "Lose 20 lbs in 2 weeks with keto pills, 50% off today: {url}",
        "Male enhancement pills that actually work, free trial {url}",
        "Online pharmacy with the lowest prices on all meds: {url}",
    ],
}
EXPERTS = [
    "Mrs. Sandra Whitman",
    "Mr. James Colbert",
    "Elizabeth Garner",
    "Mr. Robert Hayes",
    "Mrs. Linda Carrasco",
    "Bernard Finley FX",
]
HACKERS = [
    "Recovery Masters",
    "Hack Recovery Pro",
    "CyberTrace Recovery",
    "Mr. Kevin Hacks",
    "Asset Retrieval Group",
    "Spyweb Recovery",
]
LENDERS = [
    "Mr. Allen Loans",
    "Global Trust Finance",
    "Mrs. Rose Lender",
    "Apex Capital Loans",
    "Fast Cash Services",
]
GIRLS = ["Anna", "Olga", "Kristina", "Jessica", "Natalie", "Vika"]
DOCTORS = ["Oduma", "Ekpen", "Zuma", "Ajayi", "Sakura", "Lucky"]
CASINO_BRANDS = [
    "LuckySpin777",
    "VegasRoyale",
    "GoldenAce Casino",
    "BetKing",
    "SpinPalace",
    "Jackpot City",
]
SPAM_TLDS = [
    "com",
    "com",
    "com",
    "net",
    "info",
    "xyz",
    "top",
    "online",
    "site",
    "shop",
    "store",
    "ru",
    "click",
    "icu",
    "club",
    "biz",
    "co",
    "live",
]
SHORTENERS = ["bit.ly", "tinyurl.com", "cutt.ly", "rb.gy", "is.gd", "t.ly"]
TEAMS = ["Lions", "Bears", "Hawks", "Rangers", "Tigers", "Eagles", "Sharks", "Wolves"]
MOVIES = ["Deadpool 4", "The Batman Part II", "Avatar 3", "Dune Messiah", "Shrek 5", "Toy Story 5"]

# Floods: one text posted across articles with small edits. Each campaign lands in one split.
FLOODS = [
    ("streaming", ["Watch {teamA} vs {teamB} live stream free HD here: {url}",
                   "{teamA} vs {teamB} LIVE STREAM free in HD >> {url}",
                   "watch {teamA} vs {teamB} live stream free hd now: {url}"]),
    ("wfh", ["I am making $18,500 a month working from home part-time. Last month I got my paycheck and it was amazing. Try it here: {url}",
             "I'm making $18,500 a month working from home part time. Last month my paycheck was amazing! Try it here {url}",
             "I am making $18,000 a month working from home part-time. Last month I got my paycheck and it was amazing, try it: {url}"]),
    ("truth", ["THE TRUTH ABOUT WHAT THEY ARE HIDING FROM YOU. Read before it gets deleted: {url}",
               "The truth about what they are hiding from you!! Read it before it gets deleted: {url}",
               "THE TRUTH ABOUT WHAT THEY ARE HIDING. Read before it's deleted {url}"]),
    ("giftcard", ["Congratulations! You have been selected to receive a free $750 gift card. Claim your reward now: {short}",
                  "Congratulations!! You were selected to receive a FREE $750 gift card. Claim your reward: {short}",
                  "Congratulations! You've been selected for a free $750 gift card. Claim now: {short}"]),
    ("recovery", ["Hack Recovery Pro helped me recover my stolen bitcoin. Contact them at hackrecoverypro@{freemail} or WhatsApp +1 (310) 555-0187.",
                  "Hack Recovery Pro helped me recover my stolen Bitcoin!! Contact them at hackrecoverypro@{freemail} or WhatsApp +1 310 555 0187",
                  "HACK RECOVERY PRO helped me recover my stolen bitcoin, contact them: hackrecoverypro@{freemail}, WhatsApp +1 (310) 555-0187"]),
    ("penpal", ["Hello dear, I am Jessica, I saw your profile and want to know you better. Write to me: jessica{n}@{freemail}",
                "Hello dear, I'm Jessica. I saw your profile and I want to know you better, write to me: jessica{n}@{freemail}",
                "Hi dear, I am Jessica, saw your profile and want to know you better. Write me at jessica{n}@{freemail}"]),
    ("movie", ["Download {movie} (2026) full movie HD 1080p free: {url}",
               "{movie} (2026) FULL MOVIE download free HD 1080p {url}",
               "Watch and download {movie} 2026 full movie in HD 1080p for free: {url}"]),
    ("deals", ["Great article about {topic}! By the way, I found the best deals on {product} at {url}",
               "Great article about {topic}. By the way I found the best deals on {product} here: {url}",
               "Nice article about {topic}! BTW I found the best deals on {product} at {url}"]),
    ("essay", ["Best essay writing service 2026. Professional writers, plagiarism-free, 24/7 support. Order now: {url}",
               "Best essay writing service of 2026 - professional writers, plagiarism free, 24/7 support, order now {url}",
               "BEST ESSAY WRITING SERVICE 2026. Professional writers, no plagiarism, 24/7 support. Order now: {url}"]),
    ("fakenews", ["Is this news real? I just read a completely different story here {url} everyone should see this",
                  "Is this news even real?? I just read a completely different story here: {url} everyone needs to see this",
                  "is this news real? just read a totally different story here {url} everyone should see this"]),
    ("measure", ["Vote NO on Measure 4. They are lying to you about where the money goes. Share this everywhere before the election.",
                 "Vote NO on Measure 4! They are lying to you about where the money goes. Share this everywhere before the election!",
                 "VOTE NO ON MEASURE 4. They're lying to you about where the money goes. Share this everywhere before the election."]),
    ("tradebot", ["Earn bitcoin daily with our automated trading bot. 300% returns guaranteed in 30 days. Join now: {url}",
                  "Earn Bitcoin daily with our automated trading bot - 300% returns guaranteed in 30 days! Join: {url}",
                  "Earn bitcoin every day with our automated trading bot. 300% return guaranteed in 30 days. Join now {url}"]),
]  # fmt: skip


class Generator:
    """Build the labelled comments with one seeded random source."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.items: list[dict] = []

    # -- helpers ---------------------------------------------------------------------------
    def half(self, pool: list, split: str) -> list:
        """Return the half of a pool a split may draw from."""
        return pool[0::2] if split == "train" else pool[1::2]

    def pick(self, pool: list, split: str):
        return self.rng.choice(self.half(pool, split))

    def split(self) -> str:
        return "test" if self.rng.random() < TEST_SHARE else "train"

    def ip(self) -> str:
        rng = self.rng
        if rng.random() < 0.15:
            return f"2600:1700:{rng.randrange(4096):x}:{rng.randrange(65536):x}::{rng.randrange(65536):x}"
        first = rng.choice([24, 47, 50, 67, 68, 71, 73, 76, 98, 99, 107, 108, 174, 184])
        return f"{first}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"

    def slug(self, words: str) -> str:
        return re.sub(r"[^a-z0-9]+", "-", words.lower()).strip("-")

    def spam_domain(self, product: str) -> str:
        rng = self.rng
        base = self.slug(product)
        style = rng.random()
        if style < 0.3:
            base = f"best-{base}"
        elif style < 0.5:
            base = f"{base}-{rng.randrange(10, 999)}"
        elif style < 0.65:
            base = base.replace("-", "")
        return f"{base}.{rng.choice(SPAM_TLDS)}"

    def spam_url(self, product: str) -> str:
        rng = self.rng
        if rng.random() < 0.15:
            code = "".join(
                rng.choice("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
                for _ in range(6)
            )
            return f"https://{rng.choice(SHORTENERS)}/{code}"
        scheme = rng.choice(["https://", "http://", "https://www.", "http://www."])
        path = rng.choice(
            [
                "",
                "/",
                "/shop",
                f"/?ref={rng.randrange(1000, 99999)}",
                "/offer",
                f"/p/{rng.randrange(100, 9999)}",
                "/deals/today",
                "/go",
            ]
        )
        return f"{scheme}{self.spam_domain(product)}{path}"

    def phone(self) -> str:
        rng = self.rng
        style = rng.random()
        if style < 0.4:
            return f"+1 ({rng.randrange(201, 989)}) {rng.randrange(200, 999)}-{rng.randrange(1000, 9999)}"
        if style < 0.7:
            return f"+{rng.choice([234, 44, 61, 27])} {rng.randrange(700, 999)} {rng.randrange(100, 999)} {rng.randrange(1000, 9999)}"
        return f"+1{rng.randrange(2010000000, 9899999999)}"

    def person(self) -> tuple[str, str, str]:
        """Return a legitimate reader's name, email and (rarely) website."""
        rng = self.rng
        first, last = rng.choice(FIRST), rng.choice(LAST)
        style = rng.random()
        if style < 0.35:
            name = f"{first} {last[0]}."
        elif style < 0.6:
            name = f"{first} {last}"
        elif style < 0.85:
            name = rng.choice(HANDLES)
        else:
            name = f"{first.lower()}{rng.randrange(1, 99)}"
        email = ""
        if rng.random() < 0.9:
            local = (
                rng.choice(
                    [
                        f"{first}.{last}",
                        f"{first[0]}{last}",
                        f"{first}{rng.randrange(10, 99)}",
                        f"{last}{first[0]}",
                    ]
                )
                .lower()
                .replace("'", "")
            )
            domain = rng.choice(WORKMAIL) if rng.random() < 0.12 else rng.choice(FREEMAIL)
            email = f"{local}@{domain}"
        url = ""
        if rng.random() < 0.12:
            url = rng.choice(PERSONAL_SITES).format(
                first=first.lower(), last=last.lower().replace("'", "")
            )
        return name, email, url

    def human_timing(self) -> float | None:
        rng = self.rng
        if rng.random() < 0.1:
            return None  # posted through an app or API: no render token
        if rng.random() < 0.06:
            return round(rng.uniform(3.2, 8.0), 1)  # quick reply from a page already open
        return round(min(rng.lognormvariate(4.4, 0.8), 3600), 1)

    def bot_profile(self, bot_share: float) -> tuple[float | None, str]:
        """Return (render_elapsed_s, user_agent) for a spammer, a script with bot_share odds."""
        rng = self.rng
        if rng.random() < bot_share:
            elapsed = None if rng.random() < 0.3 else round(rng.uniform(0.2, 2.8), 1)
            agent_roll = rng.random()
            if agent_roll < 0.55:
                agent = rng.choice(BROWSER_AGENTS)
            elif agent_roll < 0.8:
                agent = ""
            else:
                agent = rng.choice(SCRIPT_AGENTS)
            return elapsed, agent
        return round(rng.uniform(12, 240), 1), rng.choice(BROWSER_AGENTS)

    def add(self, **fields) -> None:
        fields.setdefault("posted_at", round(self.rng.uniform(0, 72 * 3600)))
        self.items.append(fields)

    def typo(self, text: str) -> str:
        """Swap two letters in one longer word, as people do."""
        words = text.split(" ")
        candidates = [i for i, word in enumerate(words) if len(word) >= 6 and word.isalpha()]
        if not candidates:
            return text
        i = self.rng.choice(candidates)
        word = words[i]
        j = self.rng.randrange(1, len(word) - 2)
        words[i] = word[:j] + word[j + 1] + word[j] + word[j + 2 :]
        return " ".join(words)

    # -- legitimate comments -----------------------------------------------------------------
    def legit(self, kind: str) -> None:
        rng = self.rng
        split = self.split()
        article = rng.choice(list(ARTICLES))
        topic = ARTICLES[article]
        parts: list[str] = []
        if kind == "legit":
            if rng.random() < 0.75:
                parts.append(self.pick(STANDALONE, split))
            else:
                parts += [self.pick(ANECDOTES, split), self.pick(OPINIONS[topic], split)]
        else:
            if rng.random() < 0.3:
                parts.append(self.pick(OPENERS, split))
            parts += rng.sample(self.half(OPINIONS[topic], split), rng.choice([1, 1, 2, 2, 3]))
            if rng.random() < 0.2:
                parts.append(self.pick(ANECDOTES, split))
            if kind == "legit_link":
                url = rng.choice(SOURCES[topic])
                if rng.random() < 0.05:
                    url = "https://bit.ly/3" + "".join(
                        rng.choice("abcdefghkmnpqrstuvwxyz") for _ in range(5)
                    )
                parts.insert(
                    rng.randrange(1, len(parts) + 1), self.pick(LINK_INTROS, split).format(url=url)
                )
            if rng.random() < 0.3:
                parts.append(self.pick(HEATED, split))
            if rng.random() < 0.2:
                parts.append(self.pick(QUESTIONS[topic], split))
            if rng.random() < 0.3:
                parts.append(self.pick(CLOSERS, split))
        text = ("\n\n" if rng.random() < 0.12 else " ").join(parts)
        if rng.random() < 0.1:
            text = self.typo(text)
        roll = rng.random()
        if roll < 0.07:
            text = text.lower()
        elif roll < 0.10 and kind == "legit_opinion":
            text = text.upper()  # an angry reader with caps lock on
        name, email, url = self.person()
        agent = rng.choice(BROWSER_AGENTS) if rng.random() > 0.02 else ""
        self.add(
            text=text,
            author_name=name,
            author_email=email,
            author_url=url,
            ip=self.ip(),
            user_agent=agent,
            render_elapsed_s=self.human_timing(),
            article_id=article,
            label="ham",
            kind=kind,
            split=split,
        )

    # -- spam --------------------------------------------------------------------------------
    def spam_author(self, commercial: float) -> tuple[str, str]:
        """Return a spammer's name and email; commercial is the share of keyword names."""
        rng = self.rng
        if rng.random() < commercial:
            name = rng.choice(
                [
                    f"Best {rng.choice(SERVICES)} {rng.choice(CITIES)}",
                    f"{rng.choice(SERVICES)} {rng.choice(CITIES)}",
                    f"Cheap {rng.choice(PRODUCTS).title()}",
                    f"{rng.choice(PRODUCTS).title()}",
                    f"{self.slug(rng.choice(PRODUCTS)).replace('-', '')}.com",
                ]
            )
        else:
            name = f"{rng.choice(FIRST + GIRLS)} {rng.choice(LAST)}"
        local = self.slug(name).replace("-", rng.choice(["", ".", "_"]))[:20] or "info"
        roll = rng.random()
        if roll < 0.15:
            domain = rng.choice(
                [
                    "mailinator.com",
                    "yopmail.com",
                    "guerrillamail.com",
                    "sharklasers.com",
                    "tempmail.net",
                    "10minutemail.com",
                    "trashmail.com",
                    "getnada.com",
                ]
            )
        elif roll < 0.75:
            domain = rng.choice(FREEMAIL[:5])
        else:
            domain = self.spam_domain(rng.choice(PRODUCTS))
        return name, f"{local}{rng.randrange(1, 999)}@{domain}"

    def add_spam(
        self,
        text: str,
        kind: str,
        split: str,
        product: str,
        *,
        url_share: float,
        commercial: float,
        bot_share: float,
        article: int | None = None,
        **extra,
    ) -> None:
        """Add a spam comment with a spammer's author fields, device and timing."""
        name, email = self.spam_author(commercial)
        url = self.spam_url(product) if self.rng.random() < url_share else ""
        elapsed, agent = self.bot_profile(bot_share)
        ip = self.ip()
        if article is None:
            article = self.rng.choice(list(ARTICLES))
        self.add(
            text=text,
            author_name=name,
            author_email=email,
            author_url=url,
            ip=ip,
            user_agent=agent,
            render_elapsed_s=elapsed,
            article_id=article,
            label="spam",
            kind=kind,
            split=split,
            **extra,
        )

    def link_spam(self) -> None:
        rng = self.rng
        split = self.split()
        products = rng.sample(PRODUCTS, 3)
        kws = [f"{rng.choice(['best', 'cheap', 'buy', 'top', 'discount'])} {p}" for p in products]
        text = self.pick(LINK_SPAM, split).format(
            product=products[0],
            product2=products[1],
            product3=products[2],
            kw=kws[0],
            kw2=kws[1],
            kw3=kws[2],
            url=self.spam_url(products[0]),
            url2=self.spam_url(products[1]),
            url3=self.spam_url(products[2]),
            phone=self.phone(),
        )
        self.add_spam(
            text, "link_spam", split, products[0], url_share=0.6, commercial=0.5, bot_share=0.5
        )

    def seo_praise(self) -> None:
        rng = self.rng
        split = self.split()
        article = rng.choice(list(ARTICLES))
        parts = []
        if rng.random() < 0.8:
            parts.append(self.pick(SEO_OPENERS, split))
        parts += rng.sample(self.half(SEO_BODIES, split), rng.choice([1, 1, 2, 2, 3]))
        if rng.random() < 0.6:
            parts.append(self.pick(SEO_CLOSERS, split))
        text = " ".join(parts).format(topic=TOPIC_NOUN[ARTICLES[article]])
        product = rng.choice(PRODUCTS)
        if rng.random() < 0.2:
            text += f" {rng.choice(['Visit', 'Check', 'See'])} my {rng.choice(['site', 'page', 'blog'])}: {self.spam_url(product)}"
        self.add_spam(
            text,
            "seo_praise",
            split,
            product,
            url_share=0.92,
            commercial=0.6,
            bot_share=0.15,
            article=article,
        )

    def scam(self, family: str) -> None:
        rng = self.rng
        split = self.split()
        product = {
            "casino": "online casino",
            "pharma": "pills",
            "earn": "work from home",
            "dating": "dating",
            "loan": "fast loans",
            "crypto": "crypto profit",
        }.get(family, "help")
        handle = rng.choice(
            ["cryptoqueen", "fx_sandra", "winningtips", "tradewithjames", "recovery_pro"]
        )
        handle += str(rng.randrange(1, 99))
        contact_domain = rng.choice(
            FREEMAIL[:4] + ["protonmail.com", "consultant.com", "cyberservices.com"]
        )
        text = self.pick(SCAM[family], split).format(
            hacker=rng.choice(HACKERS),
            expert=rng.choice(EXPERTS),
            lender=rng.choice(LENDERS),
            girl=rng.choice(GIRLS),
            doc=rng.choice(DOCTORS),
            brand=rng.choice(CASINO_BRANDS),
            code=f"WIN{rng.randrange(100, 999)}",
            handle=handle,
            phone=self.phone(),
            url=self.spam_url(product),
            email=f"{self.slug(rng.choice(HACKERS + EXPERTS + LENDERS)).replace('-', '')}{rng.randrange(1, 99)}@{contact_domain}",
        )
        self.add_spam(
            text, "scam", split, product, url_share=0.25, commercial=0.2, bot_share=0.3, scam=family
        )

    def flood(self, index: int, campaign: str, variants: list[str]) -> None:
        rng = self.rng
        split = "train" if index % 2 == 0 else "test"
        copies = rng.randrange(5, 10)
        start = rng.uniform(0, 70 * 3600)
        one_ip = rng.random() < 0.5  # one machine in a burst, or a botnet trickling in
        ip = self.ip()
        teams = rng.sample(TEAMS, 2)
        movie = rng.choice(MOVIES)
        product = rng.choice(PRODUCTS)
        n = rng.randrange(10, 99)
        freemail = rng.choice(FREEMAIL[:4])
        articles = rng.sample(list(ARTICLES), copies)
        at = start
        for copy in range(copies):
            at += rng.uniform(5, 40) if one_ip else rng.uniform(60, 600)
            article = articles[copy]
            text = rng.choice(variants).format(
                teamA=teams[0],
                teamB=teams[1],
                movie=movie,
                product=product,
                n=n,
                freemail=freemail,
                topic=TOPIC_NOUN[ARTICLES[article]],
                url=self.spam_url(product if campaign == "deals" else campaign),
                short=f"https://{rng.choice(SHORTENERS)}/{rng.randrange(10000, 99999)}",
            )
            name, email = self.spam_author(0.3)
            elapsed, agent = self.bot_profile(0.6)
            self.add(
                text=text,
                author_name=name,
                author_email=email,
                author_url="",
                ip=ip if one_ip else self.ip(),
                user_agent=agent,
                render_elapsed_s=elapsed,
                article_id=article,
                label="spam",
                kind="flood",
                split=split,
                campaign=campaign,
                posted_at=round(at),
            )

    def build(self) -> list[dict]:
        for _ in range(175):
            self.legit("legit_opinion")
        for _ in range(55):
            self.legit("legit_link")
        for _ in range(110):
            self.legit("legit")
        for _ in range(62):
            self.link_spam()
        for _ in range(62):
            self.seo_praise()
        for family, count in [
            ("crypto", 22),
            ("loan", 14),
            ("casino", 12),
            ("dating", 10),
            ("earn", 12),
            ("spell", 8),
            ("pharma", 8),
        ]:
            for _ in range(count):
                self.scam(family)
        for index, (campaign, variants) in enumerate(FLOODS):
            self.flood(index, campaign, variants)
        self.items.sort(key=lambda item: item["posted_at"])
        for number, item in enumerate(self.items, 1):
            item["id"] = number
        return self.items


def main() -> None:
    items = Generator(SEED).build()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8") as out:
        for item in items:
            out.write(json.dumps(item, ensure_ascii=False) + "\n")
    spam = sum(item["label"] == "spam" for item in items)
    test = sum(item["split"] == "test" for item in items)
    print(
        f"wrote {len(items)} comments ({spam} spam, {len(items) - spam} ham; {test} in test) to {OUT}"
    )


if __name__ == "__main__":
    main()
