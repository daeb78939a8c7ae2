"""The advice pages every installation starts with, in ar / ckb / en.

Loaded by a data migration and by seed_demo (update_or_create on the slug), so
editors can change them in the console afterwards. Body format: plain text,
paragraphs separated by an empty line, list items start with "- ".
"""

ADVICE_PAGES = [
    {
        "slug": "first-steps",
        "title": {
            "en": "What to do first",
            "ar": "ماذا أفعل أولًا؟",
            "ckb": "سەرەتا چی بکەم؟",
        },
        "summary": {
            "en": "Do not pay, do not delete, and stop replying. Then report.",
            "ar": "عدم الدفع، وعدم حذف الرسائل، والتوقف عن الرد. ثم الإبلاغ.",
            "ckb": "پارە مەدە، هیچ شتێک مەسڕەوە و وەڵام مەدەرەوە. پاشان سکاڵا تۆمار بکە.",
        },
        "body": {
            "en": (
                "What is happening to you is a crime, and it is not your fault. Many people have been "
                "through this and the police have stopped many blackmailers.\n\n"
                "- Do not pay. Paying almost never ends the threats; it usually brings bigger demands.\n"
                "- Do not delete the messages, the chat or the account. They are the evidence.\n"
                "- Stop replying and do not send any more photos, videos or money.\n"
                "- Do not block the blackmailer until you have saved the evidence.\n"
                "- If you can, tell one person you trust.\n\n"
                "Then report it: on Sanad, or by phone. Call 497 (Community Police) if you know who "
                "the blackmailer is, or 131 (National Security Service) if you do not."
            ),
            "ar": (
                "ما يحدث لك جريمة، وليس ذنبك. كثيرون مرّوا بهذا، وقد أوقفت الشرطة كثيرًا من المبتزين.\n\n"
                "- عدم الدفع. الدفع لا يُنهي التهديد في الغالب، بل يجرّ إلى مطالب أكبر.\n"
                "- عدم حذف الرسائل أو المحادثة أو الحساب. فهي الدليل.\n"
                "- التوقف عن الرد، وعدم إرسال أي صور أو فيديوهات أو أموال أخرى.\n"
                "- عدم حظر المبتز قبل حفظ الأدلة.\n"
                "- إن أمكن، إخبار شخص واحد موثوق.\n\n"
                "ثم الإبلاغ: عبر سند، أو بالهاتف. الاتصال بـ 497 (الشرطة المجتمعية) في حال معرفة المبتز، "
                "أو بـ 131 (جهاز الأمن الوطني) في حال عدم معرفته."
            ),
            "ckb": (
                "ئەوەی بەسەرت دێت تاوانە، و هەڵەی تۆ نییە. زۆر کەس ئەمەیان بەسەر هاتووە و پۆلیس "
                "زۆر هەڕەشەکەری ڕاگرتووە.\n\n"
                "- پارە مەدە. پارەدان زۆر بە دەگمەن هەڕەشەکان کۆتایی پێ دەهێنێت؛ زۆرجار داوای زیاتر دەهێنێت.\n"
                "- پەیامەکان، گفتوگۆکە یان هەژمارەکە مەسڕەوە. ئەوانە بەڵگەن.\n"
                "- وەڵام مەدەرەوە و هیچ وێنە، ڤیدیۆ یان پارەیەکی تر مەنێرە.\n"
                "- پێش ئەوەی بەڵگەکان هەڵبگریت، هەڕەشەکەر بلۆک مەکە.\n"
                "- ئەگەر دەتوانیت، بە کەسێکی متمانەپێکراو بڵێ.\n\n"
                "پاشان سکاڵا تۆمار بکە: لە سەنەد، یان بە تەلەفۆن. پەیوەندی بکە بە 497 (پۆلیسی کۆمەڵگە) "
                "ئەگەر دەزانیت هەڕەشەکەر کێیە، یان بە 131 (دەزگای ئاسایشی نیشتمانیی عێراق) ئەگەر نایزانیت."
            ),
        },
    },
    {
        "slug": "keep-evidence",
        "title": {
            "en": "How to keep the evidence",
            "ar": "كيف أحتفظ بالأدلة؟",
            "ckb": "چۆن بەڵگەکان هەڵبگرم؟",
        },
        "summary": {
            "en": "Screenshots that show who sent the threat and when, the links, and the chat export.",
            "ar": "لقطات شاشة تُظهر مرسل التهديد ووقته، والروابط، وتصدير المحادثة.",
            "ckb": "وێنەی شاشە کە نیشان بدات کێ هەڕەشەکەی ناردووە و کەی، بەستەرەکان و هەناردەکردنی گفتوگۆکە.",
        },
        "body": {
            "en": (
                "The police can act faster when the evidence shows who the blackmailer is.\n\n"
                "- Take screenshots of the threats. Make sure each one shows the username or phone number "
                "and the date.\n"
                "- Copy the link to the blackmailer's profile (open the profile, then Share or Copy link).\n"
                "- Save the chat: in WhatsApp, open the chat, then More, Export chat.\n"
                "- Write down any bank card, wallet or transfer details they asked you to pay to.\n"
                "- Do not forward the private images to anyone, not even to show them. Officers will ask "
                "only for what they need.\n\n"
                "You can add evidence now with your report, or later from the follow-up page."
            ),
            "ar": (
                "تستطيع الشرطة التحرك أسرع عندما تُظهر الأدلة هوية المبتز.\n\n"
                "- التقاط لقطات شاشة للتهديدات، بحيث تُظهر كل لقطة اسم المستخدم أو رقم الهاتف والتاريخ.\n"
                "- نسخ رابط حساب المبتز (فتح الحساب، ثم مشاركة أو نسخ الرابط).\n"
                "- حفظ المحادثة: في واتساب، فتح المحادثة، ثم المزيد، ثم تصدير الدردشة.\n"
                "- تدوين أي تفاصيل بطاقة مصرفية أو محفظة أو تحويل طُلب الدفع إليها.\n"
                "- عدم إعادة إرسال الصور الخاصة لأي شخص، ولو لعرضها. ستطلب الشرطة ما تحتاجه فقط.\n\n"
                "يمكن رفع الأدلة الآن مع البلاغ، أو لاحقًا من صفحة المتابعة."
            ),
            "ckb": (
                "پۆلیس خێراتر دەجووڵێت کاتێک بەڵگەکان نیشان بدەن هەڕەشەکەر کێیە.\n\n"
                "- وێنەی شاشە لە هەڕەشەکان بگرە. دڵنیابە هەر یەکێکیان ناوی بەکارهێنەر یان ژمارەی مۆبایل "
                "و بەروار نیشان دەدات.\n"
                "- بەستەری هەژماری هەڕەشەکەر کۆپی بکە (هەژمارەکە بکەرەوە، پاشان هاوبەشکردن یان کۆپیکردنی بەستەر).\n"
                "- گفتوگۆکە هەڵبگرە: لە واتسئاپ، گفتوگۆکە بکەرەوە، پاشان زیاتر، هەناردەکردنی گفتوگۆ.\n"
                "- هەر زانیارییەکی کارتی بانک، جزدان یان گواستنەوە کە داوایان کردووە پارەی بۆ بنێریت بینووسە.\n"
                "- وێنە تایبەتەکان بۆ هیچ کەسێک مەنێرە، تەنانەت بۆ پیشاندانیش. ئەفسەرەکان تەنها ئەوە "
                "داوا دەکەن کە پێویستیانە.\n\n"
                "دەتوانیت ئێستا لەگەڵ سکاڵاکەت بەڵگە بار بکەیت، یان دواتر لە پەڕەی بەدواداچوون."
            ),
        },
    },
    {
        "slug": "secure-accounts",
        "title": {
            "en": "Secure your accounts",
            "ar": "كيف أؤمّن حساباتي؟",
            "ckb": "چۆن هەژمارەکانم بپارێزم؟",
        },
        "summary": {
            "en": "New passwords, two-step login, and logging out devices you do not know.",
            "ar": "كلمات مرور جديدة، والتحقق بخطوتين، وتسجيل الخروج من الأجهزة غير المعروفة.",
            "ckb": "وشەی نهێنیی نوێ، پشتڕاستکردنەوەی دوو هەنگاوی، و دەرچوون لەو ئامێرانەی نایانناسیت.",
        },
        "body": {
            "en": (
                "If someone got into your account, or might, do these on a device you trust:\n\n"
                "- Change the password of your email first, then of WhatsApp, Facebook, Instagram and "
                "the others. Use a different password for each.\n"
                "- Turn on two-step verification (a code as well as the password) in each app's "
                "security settings.\n"
                "- Log out every session or device you do not recognise.\n"
                "- Check that the recovery phone number and email are yours.\n"
                "- Make your friends list and photos visible only to people you know.\n\n"
                "Your officer can help you with each step."
            ),
            "ar": (
                "إذا دخل شخص إلى حسابك، أو قد يدخل، يُرجى القيام بما يلي من جهاز موثوق:\n\n"
                "- تغيير كلمة مرور البريد الإلكتروني أولاً، ثم واتساب وفيسبوك وإنستغرام وغيرها، مع كلمة "
                "مرور مختلفة لكل حساب.\n"
                "- تفعيل التحقق بخطوتين (رمز إضافة إلى كلمة المرور) من إعدادات الأمان في كل تطبيق.\n"
                "- تسجيل الخروج من كل جلسة أو جهاز غير معروف.\n"
                "- التأكد من أن رقم الهاتف والبريد المستخدمين لاستعادة الحساب يعودان إليك.\n"
                "- جعل قائمة الأصدقاء والصور مرئية للمعارف فقط.\n\n"
                "يمكن لمن يتابع بلاغك المساعدة في كل خطوة."
            ),
            "ckb": (
                "ئەگەر کەسێک چووەتە ناو هەژمارەکەت، یان لەوانەیە بچێت، ئەمانە لە ئامێرێکی متمانەپێکراو بکە:\n\n"
                "- سەرەتا وشەی نهێنیی ئیمەیڵەکەت بگۆڕە، پاشان هی واتسئاپ، فەیسبووک، ئینستاگرام و ئەوانی تر. "
                "بۆ هەر یەکێکیان وشەی نهێنیی جیاواز بەکاربهێنە.\n"
                "- پشتڕاستکردنەوەی دوو هەنگاوی (کۆدێک لەگەڵ وشەی نهێنی) لە ڕێکخستنەکانی ئاسایشی هەر "
                "ئەپێکدا چالاک بکە.\n"
                "- لە هەر دانیشتن یان ئامێرێک کە نایناسیتەوە دەربچۆ.\n"
                "- دڵنیابە ژمارەی مۆبایل و ئیمەیڵی گەڕاندنەوەی هەژمار هی خۆتن.\n"
                "- لیستی هاوڕێکان و وێنەکانت تەنها بۆ ئەو کەسانە دیار بکە کە دەیانناسیت.\n\n"
                "ئەفسەرەکەت دەتوانێت لە هەر هەنگاوێکدا یارمەتیت بدات."
            ),
        },
    },
    {
        "slug": "images-shared",
        "title": {
            "en": "If private images are shared or threatened",
            "ar": "إذا نُشرت صور خاصة أو هُدّد بنشرها",
            "ckb": "ئەگەر وێنەی تایبەت بڵاوکرایەوە یان هەڕەشەی بڵاوکردنەوەی لێکرا",
        },
        "summary": {
            "en": "Free services can stop your images being posted on the big platforms.",
            "ar": "خدمات مجانية يمكنها منع نشر صورك على المنصات الكبرى.",
            "ckb": "خزمەتگوزاریی بەخۆڕایی هەن کە دەتوانن ڕێگری لە بڵاوکردنەوەی وێنەکانت لە پلاتفۆرمە گەورەکان بکەن.",
        },
        "body": {
            "en": (
                "Two free services make a digital fingerprint (a hash) of your images on your own phone. "
                "The images themselves never leave your phone. Facebook, Instagram, TikTok and other "
                "platforms then block those images.\n\n"
                "- 18 or older: StopNCII.org\n"
                "- Under 18: Take It Down (takeitdown.ncmec.org)\n\n"
                "Each gives you a case number. You can write it on your Sanad follow-up page so your "
                "officer knows.\n\n"
                "If an image is already posted, report the post to the platform as well, and tell your "
                "officer the link."
            ),
            "ar": (
                "خدمتان مجانيتان تصنعان بصمة رقمية لصورك على هاتفك نفسه، ولا تغادر الصور هاتفك أبدًا. "
                "بعدها تحجب فيسبوك وإنستغرام وتيك توك ومنصات أخرى تلك الصور.\n\n"
                "- لمن عمره 18 سنة فأكثر: StopNCII.org\n"
                "- لمن هو دون 18 سنة: Take It Down (takeitdown.ncmec.org)\n\n"
                "تعطي كل خدمة رقم حالة. يمكن كتابته في صفحة المتابعة في سند ليعرفه من يتابع بلاغك.\n\n"
                "إذا نُشرت صورة فعلاً، يُرجى الإبلاغ عن المنشور للمنصة أيضًا، وإرسال الرابط إلى من يتابع بلاغك."
            ),
            "ckb": (
                "دوو خزمەتگوزاریی بەخۆڕایی پەنجەمۆرێکی دیجیتاڵی لە وێنەکانت لەسەر مۆبایلەکەی خۆت "
                "دروست دەکەن. وێنەکان خۆیان هەرگیز مۆبایلەکەت جێناهێڵن. پاشان فەیسبووک، ئینستاگرام، "
                "تیک تۆک و پلاتفۆرمەکانی تر ئەو وێنانە ڕادەگرن.\n\n"
                "- تەمەن 18 ساڵ و زیاتر: StopNCII.org\n"
                "- خوار تەمەنی 18 ساڵ: Take It Down (takeitdown.ncmec.org)\n\n"
                "هەر یەکێکیان ژمارەیەکی کەیست دەداتێ. دەتوانیت لە پەڕەی بەدواداچوونی سەنەد بینووسیت "
                "تا ئەفسەرەکەت بزانێت.\n\n"
                "ئەگەر وێنەیەک پێشتر بڵاوکراوەتەوە، پۆستەکە بۆ پلاتفۆرمەکەش ڕاپۆرت بکە و بەستەرەکە بە ئەفسەرەکەت بڵێ."
            ),
        },
    },
    {
        "slug": "look-after-yourself",
        "title": {
            "en": "Look after yourself",
            "ar": "الاعتناء بنفسك",
            "ckb": "ئاگات لە خۆت بێت",
        },
        "summary": {
            "en": "Fear and shame are normal reactions. You do not have to face this alone.",
            "ar": "الخوف والشعور بالحرج ردود فعل طبيعية. لا داعي لمواجهة هذا وحدك.",
            "ckb": "ترس و شەرمکردن کاردانەوەی ئاساییە. پێویست ناکات بە تەنها ڕووبەڕووی ئەمە ببیتەوە.",
        },
        "body": {
            "en": (
                "Being blackmailed is frightening. Feeling afraid, ashamed or alone is a normal "
                "reaction to what someone else is doing to you. You did nothing to deserve it.\n\n"
                "- Talk to one person you trust: a friend, a sister or brother, a teacher, a doctor.\n"
                "- Try to keep sleeping and eating, even a little.\n"
                "- Blackmailers want you to feel there is no way out. There is: many cases end with "
                "the blackmailer caught and the images never shared.\n\n"
                "If you are thinking of harming yourself, please call 497 now, or go to the nearest "
                "hospital emergency department. Your life matters more than any picture."
            ),
            "ar": (
                "الابتزاز أمر مخيف. الشعور بالخوف أو الحرج أو الوحدة رد فعل طبيعي على ما يفعله شخص "
                "آخر بك. لم تفعل/ي شيئًا تستحق/ين عليه هذا.\n\n"
                "- التحدث إلى شخص واحد موثوق: صديق أو صديقة، أخ أو أخت، معلم، طبيب.\n"
                "- محاولة الاستمرار في النوم والأكل، ولو قليلاً.\n"
                "- يريد المبتز أن تشعر/ي بأنه لا مخرج. المخرج موجود: كثير من الحالات تنتهي بالقبض على "
                "المبتز دون نشر أي صورة.\n\n"
                "في حال التفكير في إيذاء النفس، يُرجى الاتصال بـ 497 الآن، أو التوجه إلى أقرب قسم طوارئ "
                "في مستشفى. حياتك أهم من أي صورة."
            ),
            "ckb": (
                "هەڕەشەلێکردن ترسناکە. هەستکردن بە ترس، شەرم یان تەنهایی کاردانەوەیەکی ئاساییە بەرامبەر "
                "ئەوەی کەسێکی تر بەرامبەرت دەیکات. تۆ هیچ شتێکت نەکردووە کە شایەنی ئەمە بیت.\n\n"
                "- لەگەڵ کەسێکی متمانەپێکراو قسە بکە: هاوڕێیەک، خوشک یان برایەک، مامۆستایەک، پزیشکێک.\n"
                "- هەوڵ بدە بەردەوام بیت لە خەوتن و خواردن، تەنانەت کەمێکیش.\n"
                "- هەڕەشەکەر دەیەوێت هەست بکەیت ڕێگەیەک نییە. ڕێگە هەیە: زۆر کەیس بە گرتنی "
                "هەڕەشەکەر کۆتایی دێت بێ ئەوەی هیچ وێنەیەک بڵاو بکرێتەوە.\n\n"
                "ئەگەر بیر لە ئازاردانی خۆت دەکەیتەوە، تکایە ئێستا پەیوەندی بکە بە 497، یان بڕۆ بۆ "
                "نزیکترین بەشی فریاکەوتنی نەخۆشخانە. ژیانت لە هەر وێنەیەک گرنگترە."
            ),
        },
    },
]
