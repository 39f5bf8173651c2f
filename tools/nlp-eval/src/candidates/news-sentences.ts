import type { LanguageSample } from '../eval-lang';

/**
 * News-style sentences written for this project (invented events, not quoted from anywhere), three per
 * language. tinyld and franc learnt their n-grams from the UDHR, so the UDHR set flatters them; these
 * sentences are in no detector's training data. Small: a check of the UDHR numbers, not a benchmark.
 * Norwegian is Bokmål, Portuguese avoids spellings that differ between Portugal and Brazil.
 */
const SENTENCES: Readonly<Record<string, readonly [string, string, string]>> = {
  af: [
    'Die regering het Dinsdag aangekondig dat die prys van brandstof volgende maand met twee rand per liter sal daal.',
    'Ná die swaar reën is verskeie paaie in die Wes-Kaap Maandag gesluit en skole het vroeg toegemaak.',
    "Die polisie het twee mans in hegtenis geneem wat verdink word van die roof van 'n juwelierswinkel in Kaapstad.",
  ],
  cs: [
    'Vláda ve středu schválila návrh rozpočtu, který počítá s nižším schodkem než letos.',
    'Po silných bouřkách zůstalo v pondělí několik silnic na jižní Moravě uzavřeno.',
    'Policie zadržela dva muže podezřelé z přepadení zlatnictví v centru Brna.',
  ],
  da: [
    'Regeringen vil hæve afgiften på flyrejser fra næste år, oplyser skatteministeren i en pressemeddelelse.',
    'Efter det voldsomme uvejr var flere veje i Jylland spærret hele mandagen, og togtrafikken var indstillet.',
    'Politiet har anholdt to mænd, der er mistænkt for røveriet mod en guldsmedeforretning i det centrale København.',
  ],
  de: [
    'Die Bundesregierung will die Förderung für Wärmepumpen im kommenden Jahr deutlich kürzen, berichten mehrere Zeitungen.',
    'Nach dem schweren Unwetter blieben am Montag in Teilen Bayerns zahlreiche Schulen geschlossen.',
    'Der Autobauer hat seine Prognose für das laufende Geschäftsjahr erneut gesenkt, die Aktie gab um vier Prozent nach.',
  ],
  en: [
    'The central bank left interest rates unchanged on Thursday, citing persistent inflation in services.',
    'Firefighters battled the blaze for six hours before residents of the coastal town were allowed to return home.',
    'Shares in the carmaker fell 4 percent after it cut its delivery forecast for the second time this year.',
  ],
  es: [
    'El Gobierno aprobó este martes una subida del salario mínimo que beneficiará a más de dos millones de trabajadores.',
    'Los bomberos lograron controlar el incendio forestal tras tres días de trabajo en la sierra de Gredos.',
    'La inflación se moderó en octubre gracias al abaratamiento de la electricidad y los carburantes.',
  ],
  fi: [
    'Hallitus aikoo leikata asumistukea ensi vuonna, kertoi valtiovarainministeri tiistaina tiedotustilaisuudessa.',
    'Voimakas myrsky katkaisi sähköt yli 30 000 kotitaloudelta Itä-Suomessa maanantaina.',
    'Poliisi on pidättänyt kaksi miestä, joita epäillään kultasepänliikkeen ryöstöstä Helsingin keskustassa.',
  ],
  fr: [
    'Le gouvernement a présenté mercredi un projet de loi visant à réduire les délais de construction des logements sociaux.',
    "Les pompiers ont lutté pendant six heures contre l'incendie avant que les habitants puissent regagner leur domicile.",
    "La grève des contrôleurs aériens a entraîné l'annulation de centaines de vols dans les aéroports parisiens.",
  ],
  hu: [
    'A kormány szerdán elfogadta a jövő évi költségvetés tervezetét, amely több pénzt szán az egészségügyre.',
    'Az erős esőzések miatt hétfőn több utat lezártak Baranya megyében.',
    'A rendőrség őrizetbe vett két férfit, akiket egy belvárosi ékszerüzlet kirablásával gyanúsítanak.',
  ],
  id: [
    'Pemerintah akan menaikkan harga bahan bakar minyak bersubsidi mulai bulan depan, kata menteri energi pada Selasa.',
    'Banjir yang melanda Jakarta sejak Minggu malam memaksa ribuan warga mengungsi ke tempat yang lebih aman.',
    'Polisi menangkap dua pria yang diduga merampok sebuah toko emas di pusat kota Surabaya.',
  ],
  it: [
    'Il governo ha approvato ieri sera la legge di bilancio, che prevede nuovi tagli alle tasse per le famiglie.',
    'Dopo le forti piogge, diverse strade della provincia di Genova sono rimaste chiuse per tutta la giornata.',
    "Le azioni della banca sono salite del tre per cento dopo l'annuncio di utili superiori alle attese.",
  ],
  nl: [
    'Het kabinet wil volgend jaar extra geld uittrekken voor de bouw van betaalbare huurwoningen, meldt de minister.',
    'Door de storm vielen zondag honderden treinen uit en stonden er lange files op de snelwegen rond Utrecht.',
    'De gemeente gaat de kosten voor het parkeren in het centrum flink verhogen, tot ongenoegen van winkeliers.',
  ],
  no: [
    'Regjeringen foreslår å øke bevilgningene til sykehusene med to milliarder kroner i neste års statsbudsjett.',
    'Etter det kraftige uværet var flere veier på Vestlandet stengt hele mandagen, og togene sto stille.',
    'Politiet har pågrepet to menn som er mistenkt for ranet av en gullsmedbutikk i sentrum av Oslo.',
  ],
  pl: [
    'Rząd zapowiedział w środę obniżkę podatku od energii elektrycznej dla gospodarstw domowych od przyszłego roku.',
    'Po gwałtownych burzach kilka dróg w województwie małopolskim było zamkniętych przez cały poniedziałek.',
    'Policja zatrzymała dwóch mężczyzn podejrzanych o napad na sklep jubilerski w centrum Krakowa.',
  ],
  pt: [
    'O governo anunciou nesta segunda-feira um novo pacote de medidas para conter a subida dos preços da habitação.',
    'Os bombeiros combateram as chamas durante toda a noite e conseguiram salvar as casas da aldeia.',
    'A seleção venceu por dois a zero e garantiu a passagem para a fase final do campeonato.',
  ],
  ro: [
    'Guvernul a aprobat miercuri proiectul de buget, care prevede creșterea cheltuielilor pentru sănătate.',
    'După ploile abundente, mai multe drumuri din județul Suceava au fost închise luni.',
    'Poliția a reținut doi bărbați suspectați că au jefuit un magazin de bijuterii din centrul Clujului.',
  ],
  ru: [
    'Правительство в среду одобрило проект бюджета, который предусматривает рост расходов на здравоохранение.',
    'После сильного снегопада в понедельник были закрыты несколько трасс в Подмосковье.',
    'Полиция задержала двух мужчин, подозреваемых в ограблении ювелирного магазина в центре Казани.',
  ],
  sv: [
    'Regeringen vill sänka skatten på bensin och diesel redan från årsskiftet, meddelade finansministern på tisdagen.',
    'Efter det kraftiga snöfallet var flera vägar i norra Sverige avstängda under hela måndagen.',
    'Polisen har gripit två män som misstänks för rånet mot en juvelerarbutik i centrala Göteborg.',
  ],
  tr: [
    'Hükümet, gelecek yıl asgari ücrete yüzde 25 zam yapılacağını çarşamba günü açıkladı.',
    "Şiddetli yağışların ardından İzmir'de birçok yol pazartesi günü trafiğe kapatıldı.",
    'Polis, şehir merkezindeki bir kuyumcu dükkânını soyduğundan şüphelenilen iki kişiyi gözaltına aldı.',
  ],
  uk: [
    "Уряд у середу схвалив проєкт бюджету, який передбачає збільшення видатків на охорону здоров'я.",
    'Після сильного снігопаду в понеділок було перекрито кілька доріг на заході країни.',
    'Поліція затримала двох чоловіків, яких підозрюють у пограбуванні ювелірної крамниці в центрі Львова.',
  ],
};

/** Each sentence as a sentence sample, and each language's three sentences together as a paragraph. */
export function newsSamples(): LanguageSample[] {
  return Object.entries(SENTENCES)
    .sort((a, b) => a[0].localeCompare(b[0]))
    .flatMap(([language, sentences]) => [
      ...sentences.map((text) => ({ language, length: 'sentence' as const, text, source: 'news' })),
      { language, length: 'paragraph' as const, text: sentences.join(' '), source: 'news' },
    ]);
}
