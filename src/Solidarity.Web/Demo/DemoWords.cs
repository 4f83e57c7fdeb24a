namespace Solidarity.Web.Demo;

/// <summary>The names, places and words the demo and the volume seeding make their people and messages from.</summary>
internal static class DemoWords
{
    public static readonly string[] First =
    [
        "Jo", "Sam", "Alex", "Chris", "Pat", "Jamie", "Morgan", "Robin", "Priya", "Aisha", "Tomasz", "Niamh", "Kwame", "Mei",
        "Fatima", "Owen", "Rhiannon", "Hamza", "Grace", "Callum", "Ewa", "Dev", "Siobhan", "Marcus", "Leah", "Bilal", "Ruth",
        "Ivan", "Zainab", "Liam", "Chloe", "Yusuf", "Hannah", "Kieran", "Ama", "Declan", "Sofia", "Rajesh", "Maya", "Gareth",
    ];

    public static readonly string[] Last =
    [
        "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Evans", "Khan", "Patel", "Walker", "Wright", "Thompson",
        "Robinson", "Hughes", "Edwards", "Green", "Hall", "Wood", "Clarke", "Kowalski", "Okafor", "Murphy", "Begum", "Ahmed",
        "Lewis", "Harris", "Martin", "Jackson", "White", "Ali", "Morris", "Ward", "Turner", "Nowak", "Mensah", "Reid",
    ];

    public static readonly string[] Towns =
    [
        "Burton", "Derby", "Leicester", "Nottingham", "Sheffield", "Leeds", "Wakefield", "Castleford", "Bradford", "Manchester",
        "Rochdale", "Heywood", "Bolton", "Liverpool", "Birmingham", "Coventry", "Bristol", "Bridgwater", "Taunton", "Cardiff",
        "Swansea", "Glasgow", "Edinburgh", "Newcastle", "Hull", "York", "Basildon", "Chelmsford", "Norwich", "Brighton",
        "Southampton", "Plymouth", "Lutterworth", "Kettering", "Northampton", "Stoke", "Preston", "Belfast", "Oxford", "London",
    ];

    public static readonly string[] Organisations =
    [
        "Trades Union Council", "UNISON branch", "Unite Community branch", "GMB branch", "PCS branch", "CWU branch",
        "NEU district", "RMT branch", "Labour Party branch", "Solidarity Committee", "Momentum group", "Strike Support Group",
    ];

    public static readonly string[] Messages =
    [
        "Solidarity from all of us. Stay strong on the picket line!",
        "Nobody should be forced to choose between their job and their terms. We are with you all the way.",
        "Our branch voted unanimously to send a donation and this message: you are fighting for all of us.",
        "Drove past the picket this morning and honked. Keep going, you have the whole town behind you.",
        "An injury to one is an injury to all. Best wishes from a retired warehouse worker.",
        "We won our own dispute last year because people like you stood with us. Now it is our turn. Solidarity!",
        "Thinking of you all in the cold at six in the morning. Here's a little towards the hardship fund.",
        "Contracting out is a race to the bottom. Thank you for standing up to it.",
        "From the night shift at the depot down the road: we are watching, and we are with you.",
        "Two weeks is a long time without pay. I hope this helps someone keep the lights on.",
        "Solidarity from the students' union. We'll be down with flasks and biscuits on Saturday.",
        "My dad was on strike in 1984 and never forgot who helped. Neither will you. Stay united.",
        "The High Court ruling is brilliant news. Keep the pressure on until they negotiate properly.",
        "Every worker in every warehouse in the country is better off because you said no. Thank you.",
        "Small donation, big respect. Stay strong.",
        "Our trades council will be bringing a banner to the rally. See you there, and good luck.",
        "From a teacher who knows what it means to take action: hold the line, it is worth it.",
        "Sending love and solidarity from the care workers who won their sick pay last year. You can win too.",
        "Proud of every one of you. The company needs you more than you need them.",
        "Keep your heads up. The whole movement is watching and we have your back, whatever it takes, for as long as it takes.",
    ];
}
