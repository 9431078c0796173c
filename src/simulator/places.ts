/**
 * Where a simulated location message is: coordinates written out (`31.2304,121.4737 外滩`) or a well-known city by
 * name, so `/location 上海` sends Shanghai's coordinates, not Beijing's.
 */

export interface Place {
  latitude: number;
  longitude: number;
  label: string;
}

/** The default location: 天安门. */
export const DEFAULT_PLACE: Place = { latitude: 39.908823, longitude: 116.39747, label: '北京市东城区天安门' };

/** City centres (GCJ-02, as WeChat reports them), by the names people type. */
const CITIES: ReadonlyArray<{ names: string[]; latitude: number; longitude: number; label: string }> = [
  { names: ['北京', 'beijing'], latitude: 39.908823, longitude: 116.39747, label: '北京市东城区天安门' },
  { names: ['上海', 'shanghai'], latitude: 31.230416, longitude: 121.473701, label: '上海市黄浦区人民广场' },
  { names: ['广州', 'guangzhou'], latitude: 23.129163, longitude: 113.264435, label: '广州市越秀区' },
  { names: ['深圳', 'shenzhen'], latitude: 22.543099, longitude: 114.057868, label: '深圳市福田区' },
  { names: ['杭州', 'hangzhou'], latitude: 30.274084, longitude: 120.15507, label: '杭州市上城区' },
  { names: ['南京', 'nanjing'], latitude: 32.060255, longitude: 118.796877, label: '南京市玄武区' },
  { names: ['成都', 'chengdu'], latitude: 30.572815, longitude: 104.066801, label: '成都市锦江区' },
  { names: ['重庆', 'chongqing'], latitude: 29.56301, longitude: 106.551557, label: '重庆市渝中区' },
  { names: ['武汉', 'wuhan'], latitude: 30.592849, longitude: 114.305539, label: '武汉市江岸区' },
  { names: ['西安', "xi'an", 'xian'], latitude: 34.341568, longitude: 108.940174, label: '西安市莲湖区' },
  { names: ['天津', 'tianjin'], latitude: 39.084158, longitude: 117.200983, label: '天津市和平区' },
  { names: ['苏州', 'suzhou'], latitude: 31.298979, longitude: 120.585315, label: '苏州市姑苏区' },
  { names: ['香港', 'hong kong', 'hongkong'], latitude: 22.319304, longitude: 114.169361, label: '香港九龙' },
];

export const KNOWN_CITIES = CITIES.map((city) => city.names[0] as string);

const COORDINATES = /^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*(.*)$/s;

/**
 * `31.23,121.47 外滩` → those coordinates with that label; `上海` (or a label starting with a known city's name,
 * such as 上海市徐汇区) → the city; anything else → undefined (the caller asks for coordinates).
 */
export function resolvePlace(text: string): Place | undefined {
  const written = COORDINATES.exec(text);
  if (written) {
    const latitude = Number(written[1]);
    const longitude = Number(written[2]);
    if (Math.abs(latitude) > 90 || Math.abs(longitude) > 180) return undefined;
    return { latitude, longitude, label: written[3]?.trim() || `${latitude},${longitude}` };
  }
  const wanted = text.trim().toLowerCase();
  if (wanted === '') return DEFAULT_PLACE;
  const city = CITIES.find((entry) => entry.names.some((name) => wanted === name || wanted.startsWith(name)));
  if (!city) return undefined;
  return {
    latitude: city.latitude,
    longitude: city.longitude,
    label: city.names.includes(wanted) ? city.label : text.trim(),
  };
}
