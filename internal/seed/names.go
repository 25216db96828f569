package seed

import (
	"fmt"
	"math/rand/v2"
)

// surnames are common surnames in southern Fujian, weighted roughly by how
// often they occur there (陈 and 林 lead).
var surnames = []struct {
	name   string
	weight int
}{
	{"陈", 12}, {"林", 10}, {"黄", 6}, {"吴", 4}, {"李", 4}, {"王", 4}, {"张", 4},
	{"蔡", 3}, {"许", 3}, {"郑", 3}, {"杨", 3}, {"刘", 3}, {"洪", 2}, {"谢", 2},
	{"郭", 2}, {"曾", 2}, {"苏", 2}, {"周", 2}, {"叶", 2}, {"庄", 2}, {"柯", 1},
	{"施", 1}, {"傅", 1}, {"颜", 1}, {"卢", 1}, {"游", 1}, {"高", 1}, {"朱", 1},
	{"胡", 1}, {"何", 1}, {"纪", 1}, {"康", 1}, {"邱", 1}, {"徐", 1},
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
	olderMaleChars   = []rune("金水木福财旺兴德荣发春清明文国华建忠义良成顺生泉源山海祥添")
	olderFemaleChars = []rune("秀英玉兰珠梅凤月花云美丽淑贞珍琴娥桂惠香莲芳碧素")
	youngMaleChars   = []rune("志伟强杰俊浩宇轩博睿晨子泽凯鹏鑫磊斌翔豪鸿哲楷铭嘉彬健昊")
	youngFemaleChars = []rune("婷雅欣怡静琳萱涵诗梦思佳雨妍晓雯璐莹蕾颖晴悦慧嘉若菲洁丹")
)

// shopTrades are the trades of the shops along the roads.
var shopTrades = []string{
	"沙茶面", "五金店", "便利店", "水果店", "理发店", "药房", "面包店", "海鲜排档",
	"茶叶店", "花生汤", "土笋冻", "小吃店", "文具店", "洗衣店", "手机维修", "早餐店",
	"烧肉粽", "杂货店", "茶餐厅", "米粉店", "眼镜店", "麻辣烫", "牛肉店", "花店",
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

// shopName names a shop after its owner's family and trade, e.g. 林记沙茶面.
func shopName(rng *rand.Rand) string {
	return fmt.Sprintf("%s记%s", surname(rng), shopTrades[rng.IntN(len(shopTrades))])
}
