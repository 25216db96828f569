package seed

import (
	"fmt"
	"math/rand/v2"
)

// surnames are common surnames in southern Fujian, weighted roughly by how
// often they occur there (陳 and 林 lead).
var surnames = []struct {
	name   string
	weight int
}{
	{"陳", 12}, {"林", 10}, {"黃", 6}, {"吳", 4}, {"李", 4}, {"王", 4}, {"張", 4},
	{"蔡", 3}, {"許", 3}, {"鄭", 3}, {"楊", 3}, {"劉", 3}, {"洪", 2}, {"謝", 2},
	{"郭", 2}, {"曾", 2}, {"蘇", 2}, {"周", 2}, {"葉", 2}, {"莊", 2}, {"柯", 1},
	{"施", 1}, {"傅", 1}, {"顏", 1}, {"盧", 1}, {"游", 1}, {"高", 1}, {"朱", 1},
	{"胡", 1}, {"何", 1}, {"紀", 1}, {"康", 1}, {"邱", 1}, {"徐", 1},
}

// surnameTotal is the sum of the surname weights.
var surnameTotal = func() int {
	n := 0
	for _, s := range surnames {
		n += s.weight
	}
	return n
}()

// Characters of given names, by sex and by generation: people born before
// 1975 tend to have the older, plainer names.
var (
	olderMaleChars   = []rune("金水木福財旺興德榮發春清明文國華建忠義良成順生泉源山海祥添")
	olderFemaleChars = []rune("秀英玉蘭珠梅鳳月花雲美麗淑貞珍琴娥桂惠香蓮芳碧素")
	youngMaleChars   = []rune("志偉強傑俊浩宇軒博睿晨子澤凱鵬鑫磊斌翔豪鴻哲楷銘嘉彬健昊")
	youngFemaleChars = []rune("婷雅欣怡靜琳萱涵詩夢思佳雨妍曉雯璐瑩蕾穎晴悅慧嘉若菲潔丹")
)

// shopTrades are the trades of the shops along the roads.
var shopTrades = []string{
	"沙茶麵", "五金店", "便利店", "水果店", "理髮店", "藥房", "麵包店", "海鮮排檔",
	"茶葉店", "花生湯", "土筍凍", "小吃店", "文具店", "洗衣店", "手機維修", "早餐店",
	"燒肉粽", "雜貨店", "茶餐廳", "米粉店", "眼鏡店", "麻辣燙", "牛肉店", "花店",
}

// chineseNumerals spells 1 to 12 for names such as 盛光三里.
var chineseNumerals = []string{"一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二"}

// surname draws a surname by weight.
func surname(rng *rand.Rand) string {
	n := rng.IntN(surnameTotal)
	for _, s := range surnames {
		if n < s.weight {
			return s.name
		}
		n -= s.weight
	}
	panic("unreachable")
}

// givenName draws a given name of one or two characters suited to the
// person's sex and birth year.
func givenName(rng *rand.Rand, female bool, birthYear int) string {
	chars := youngMaleChars
	switch {
	case female && birthYear < 1975:
		chars = olderFemaleChars
	case female:
		chars = youngFemaleChars
	case birthYear < 1975:
		chars = olderMaleChars
	}
	first := chars[rng.IntN(len(chars))]
	if rng.IntN(100) < 15 {
		return string(first)
	}
	second := chars[rng.IntN(len(chars))]
	for second == first {
		second = chars[rng.IntN(len(chars))]
	}
	return string([]rune{first, second})
}

// shopName names a shop after its owner's family and trade, e.g. 林記沙茶麵.
func shopName(rng *rand.Rand) string {
	return fmt.Sprintf("%s記%s", surname(rng), shopTrades[rng.IntN(len(shopTrades))])
}
