/** Hand-made cue lists for typing capitalised spans (general English, not taken from any corpus). */
const words = (text: string): ReadonlySet<string> => new Set(text.split(/\s+/).filter(Boolean));

/** Last (or head) words of organisation names. */
export const ORG_CUES =
  words(`Council Ministry Ministries Party Bank Inc Inc. Corp Corp. Corporation Co Co. Ltd Ltd.
Plc PLC Group Association Union Committee Commission Agency Organisation Organization University College
Institute Club FC Court Parliament Assembly Army Navy Police Airlines Airways Exchange Fund Federation
Department Office Bureau Service Services Authority Board Company Companies Holdings Industries
Motors Bancorp Trust Securities Capital Partners Foundation Society League Alliance Front Movement
Congress Senate Cabinet Government Administration Media Times Post News Journal Herald Telegraph
Television Radio Network Press Church Brigade Brigades Forces Guard Commerce Chamber Airport Hospital
School Systems Technologies Energy Oil Petroleum Telecom Communications Pharmaceuticals Mining
Insurance Investments Reserve Institution Center Centre Coalition Cooperative Team Tribunal Legislature
Directorate Secretariat Conference Nations Rangers United City Athletic Wanderers Rovers Stores Airline`);

/** Organisation names that stand alone (also as lower-case keys). */
export const KNOWN_ORGS =
  words(`NATO UN EU OPEC IMF WTO OSCE ASEAN UNICEF UNESCO WHO FIFA UEFA IOC Interpol Europol
Duma Knesset Bundestag Bundesrat Kremlin Pentagon Congress Senate Parliament Reuters Xinhua Interfax Itar-Tass
TASS AFP AP BBC CNN Hamas Hezbollah Taliban Fatah PLO IRA ETA Nasdaq Fed Bundesbank Gazprom Rosneft
Microsoft Google Apple Amazon Boeing Airbus Toyota`);

export const LOC_CUES =
  words(`River Sea Ocean Island Islands Mountains Mountain Mount Lake Bay Gulf Valley Street
Avenue Road Square Province Region District County Peninsula Strait Canal Desert Coast Park Bridge
Heights Plain Plains Basin Oblast Krai Prefecture Territory Territories Hills Falls Harbour Harbor`);

export const MISC_CUES =
  words(`Cup Championship Championships Open Games Olympics Olympic Prix Award Awards Prize
Treaty Accord Agreement War Trophy Series Tour Festival Day Act Plan Doctrine Index Protocol Summit Rally
Classic Marathon Grand Masters Derby Convention Declaration Division`);

/** Nationalities and groups not in world-countries' demonyms. */
export const EXTRA_MISC =
  words(`European Europeans Western Arab Arabs Asian African Latin Soviet Kurdish Kurd Kurds
Palestinian Palestinians Basque Serb Serbs Croat Croats Muslim Muslims Christian Christians Islamic
Catholic Catholics Jewish Jew Jews Buddhist Hindu Sikh Sunni Shi'ite Shiite Orthodox Protestant
Nazi Nazis Communist Communists Marxist Republican Republicans Democrat Democrats Democratic Socialist
Tamil Hutu Tutsi Pashtun Chechen Chechens Bosnian Bosnians Kosovar Hispanic Scandinavian Caucasian
English Scottish Welsh Irish British Dutch Flemish Walloon Yankee Eurobond Eurobonds Moslem Moslems
Yugoslav Slav Slavic Latino Aboriginal Maori Swede Swedes Scot Scots Philippine Dane Danes Finn Finns
Pole Poles Briton Britons Turk Turks Olympic Olympics`);

/** Titles before a person's name: they are cut off the name and make it a person. */
export const TITLES =
  words(`Mr Mr. Mrs Mrs. Ms Ms. Dr Dr. President Prime Minister Chancellor King Queen Prince
Princess Pope Senator Sen Sen. Rep Rep. Governor Gov Gov. General Gen Gen. Colonel Col Col. Captain Capt
Judge Secretary Ambassador Mayor Sheikh Sir Lord Lady Bishop Archbishop Rev Rev. Father Coach Chairman
Chief Director Commissioner Premier Vice Deputy Speaker Foreign Defence Defense Finance Interior
Justice Economy Trade Lt Lieutenant Sergeant Sgt Major Admiral Marshal Cardinal Emperor Crown Sultan
Emir Ayatollah Rabbi Imam Dame Justice Professor Prof Prof. Detective Inspector Officer Agent Leader
Opposition Former Acting Sister Brother Saint Senior Junior`);

/** Lower-case words right before a name that make it a person ("striker Alan Shearer"). */
export const ROLE_WORDS =
  words(`president minister leader spokesman spokeswoman spokesperson chairman chairwoman
chief secretary coach manager striker midfielder defender goalkeeper captain player champion director
analyst economist official officials diplomat envoy ambassador prosecutor judge lawyer attorney
senator governor mayor general commander colonel premier chancellor king queen prince author writer
actor actress singer poet son daughter wife husband brother sister father mother dealer trader told
according cyclist driver rider batsman bowler skipper winger forward teammate compatriot opponent
seed beat defeated`);

/** Verbs right after a name that make it a person ("Smith said"). */
export const SPEECH_VERBS = words(`said says told added asked stated declared claimed noted explained wrote
warned insisted argued replied announced urged admitted denied acknowledged recalled suggested
believes believed thinks thought`);

/** Capitalised words that are not names on their own. */
export const NOT_NAMES = words(`January February March April May June July August September October November
December Monday Tuesday Wednesday Thursday Friday Saturday Sunday Mon Tue Wed Thu Fri Sat Sun Jan Feb
Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec I A An The This That These Those It Its He She We They You
His Her Their Our My Your There Here What When Where Why How Who Which But And Or If So Yet For Nor
In On At By To Of From With As After Before Since Until While During Although Though Because Also
Mr Mrs Ms Dr Sir Madam Today Tomorrow Yesterday Earlier Later Meanwhile However Moreover Instead
Still Now Then Last Next Some Many Most Several Each Every All Both No Not Yes Please Thank Thanks
Total Note Source Sources Results Result Standings Table Pos Pts Score Att Attendance GMT EST EDT CET
Halftime Half Points Percent Pct Vs Versus Per Inc NOTE Euro Euros First Second Third Fourth
Fifth`);

/** Common given names, to tell person names from other capitalised spans. */
export const FIRST_NAMES =
  words(`John James Robert Michael William David Richard Joseph Thomas Charles Christopher
Daniel Matthew Anthony Mark Donald Steven Paul Andrew Joshua Kenneth Kevin Brian George Timothy Ronald
Edward Jason Jeffrey Ryan Jacob Gary Nicholas Eric Jonathan Stephen Larry Justin Scott Brandon Benjamin
Samuel Gregory Alexander Frank Patrick Raymond Jack Dennis Jerry Tyler Aaron Jose Adam Nathan Henry
Douglas Zachary Peter Kyle Walter Ethan Jeremy Harold Keith Christian Roger Noah Gerald Carl Terry Sean
Austin Arthur Lawrence Jesse Dylan Bryan Joe Jordan Billy Bruce Albert Willie Gabriel Logan Alan Juan
Wayne Roy Ralph Randy Eugene Vincent Russell Elijah Louis Bobby Philip Johnny Mary Patricia Jennifer
Linda Elizabeth Barbara Susan Jessica Sarah Karen Nancy Lisa Betty Margaret Sandra Ashley Kimberly
Emily Donna Michelle Dorothy Carol Amanda Melissa Deborah Stephanie Rebecca Sharon Laura Cynthia
Kathleen Amy Shirley Angela Helen Anna Brenda Pamela Nicole Emma Samantha Katherine Christine Debra
Rachel Catherine Carolyn Janet Ruth Maria Heather Diane Virginia Julie Joyce Victoria Olivia Kelly
Christina Lauren Joan Evelyn Judith Megan Cheryl Andrea Hannah Martha Jacqueline Frances Gloria Ann
Teresa Kathryn Sara Janice Jean Alice Madison Doris Abigail Julia Judy Grace Denise Amber Marilyn
Beverly Danielle Theresa Sophia Marie Diana Brittany Natalie Isabella Charlotte Rose Alexis Kayla
Vladimir Boris Sergei Dmitri Alexei Aleksey Alexander Mikhail Viktor Victor Yuri Yury Igor Ivan Nikolai
Oleg Andrei Andriy Volodymyr Petro Leonid Yevgeny Gennady Anatoly Vitaly Valentina Olga Natalia Tatiana
Irina Svetlana Yulia Helmut Gerhard Angela Klaus Jurgen Wolfgang Hans Franz Karl Heinz Jacques
Francois Jean-Pierre Jean-Claude Pierre Nicolas Emmanuel Alain Michel Philippe Lionel Silvio Romano
Giuseppe Giovanni Carlo Marco Luca Francesco Antonio Manuel Carlos Luis Miguel Jorge Pedro Javier
Felipe Fernando Ricardo Eduardo Alberto Diego Pablo Raul Hugo Mario Sergio Rafael Ahmed Mohammed
Muhammad Mohamed Ali Hassan Hussein Omar Abdullah Yasser Saddam Benjamin Shimon Yitzhak Ariel Ehud
Nelson Kofi Jiang Li Wang Zhang Deng Kim Lee Park Hashimoto Ryutaro Yasushi Nawaz Benazir Rajiv Atal
Narendra Indira Bill Hillary Al Tony Gordon Tom Tim Jim Bob Mike Dave Steve Chris Nick Ben Sam Dan
Pete Rob Jeff Greg Ken Ron Don Ed Fred Ted Martin Simon Ian Neil Graham Colin Nigel Malcolm Kenny
Stuart Alastair Jimmy Ernie Greg Pete Andre Boris Stefan Thomas Anders Lars Sven Jan Pieter Johan
Erik Marc Luc Gianluca Roberto Alessandro Paolo Jose-Maria Felix Oscar Hector Ernesto Fidel Raul
Saeb Nabil Recep Tansu Necmettin Mesut Bulent Suleyman Abdul Abu Mahmoud Hosni Bashar Hafez Ehud`);
