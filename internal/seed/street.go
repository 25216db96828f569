package seed

import (
	"fmt"
	"strings"

	"github.com/jimei-linli/linli/ent/place"
)

// The demo street itself.
const (
	streetName     = "集美街道"
	streetDistrict = "廈門市集美區"
)

// communityDef describes one community of the demo street: its grids, the
// roads that run through it and the compounds it has names for.
type communityDef struct {
	code, name string
	// short is the name without 社區, used for lanes (盛光三里).
	short string
	grids int
	// roads are the roads its compounds, buildings and shops stand on.
	roads []string
	// compounds names its compounds, in the order they are built.
	compounds []string
	// lat and lng are the centre of the community.
	lat, lng float64
}

// communityDefs are the five communities of the demo street: 39 grids in all,
// Shengguang first and largest.
var communityDefs = []communityDef{
	{
		code: CommunityShengguang, name: "盛光社區", short: "盛光", grids: 9,
		roads:     []string{"盛光路", "銀江路", "石鼓路", "嘉庚路"},
		compounds: []string{"盛光花園", "盛光新村", "銀江花苑", "銀江新城", "石鼓山莊", "學村雅苑", "集美嘉園", "盛世華庭"},
		lat:       24.5890, lng: 118.1040,
	},
	{
		code: "cenxi", name: "岑西社區", short: "岑西", grids: 8,
		roads:     []string{"岑西路", "岑東路", "集岑路"},
		compounds: []string{"岑西新村", "岑東花苑", "集岑雅居", "岑西佳園", "岑頭小區", "翠岑山莊", "岑西華府", "綠岑苑"},
		lat:       24.5940, lng: 118.0975,
	},
	{
		code: "xunjiang", name: "潯江社區", short: "潯江", grids: 8,
		roads:     []string{"潯江路", "龍舟池路", "嘉庚路"},
		compounds: []string{"潯江苑", "潯江花園", "龍舟花園", "嘉庚新村", "海鳳苑", "潯江雅居", "龍池嘉園", "江景華庭"},
		lat:       24.5770, lng: 118.1120,
	},
	{
		code: "aoyuan", name: "鰲園社區", short: "鰲園", grids: 7,
		roads:     []string{"鰲園路", "尚南路", "延平路"},
		compounds: []string{"鰲園小區", "尚南新村", "延平花園", "鰲園雅苑", "尚南佳園", "延平新村", "海濱華庭"},
		lat:       24.5760, lng: 118.1010,
	},
	{
		code: "dashe", name: "大社社區", short: "大社", grids: 7,
		roads:     []string{"大社路", "樂安路", "集源路"},
		compounds: []string{"大社花園", "樂安小區", "集源苑", "大社新村", "樂安雅居", "集源嘉園", "大社華庭"},
		lat:       24.5860, lng: 118.1140,
	},
}

// mapStreet draws the communities, grids and places.
func (b *builder) mapStreet() {
	for ci, def := range communityDefs {
		b.p.communities = append(b.p.communities, communityRow{code: def.code, name: def.name})
		first := len(b.p.grids)
		for n := 1; n <= def.grids; n++ {
			b.p.grids = append(b.p.grids, gridRow{
				community: ci,
				number:    n,
				code:      fmt.Sprintf("%s-%02d", def.code, n),
				name:      fmt.Sprintf("%s第%d網格", def.name, n),
			})
			b.communityOf = append(b.communityOf, ci)
		}
		b.places(def, first)
	}
	for gi := range b.p.grids {
		b.p.grids[gi].area = b.area(gi)
	}
}

// area describes in words what a grid covers: its roads and lane and the
// compounds in it.
func (b *builder) area(grid int) string {
	var roads, compounds []string
	for _, pl := range b.p.places {
		if pl.grid != grid {
			continue
		}
		if pl.kind == place.KindCompound {
			compounds = append(compounds, pl.name)
		}
	}
	def := communityDefs[b.p.grids[grid].community]
	n := b.p.grids[grid].number
	roads = append(roads, mainRoad(def, n), sideRoad(def, n), lane(def, n))
	s := strings.Join(roads, "、") + "一帶"
	if len(compounds) > 0 {
		s += "，含" + strings.Join(compounds, "、")
	}
	return s
}

// mainRoad is the road a grid's compounds and buildings stand on.
func mainRoad(def communityDef, gridNumber int) string {
	return def.roads[(gridNumber-1)%len(def.roads)]
}

// sideRoad is the second road of a grid, where some of its shops are.
func sideRoad(def communityDef, gridNumber int) string {
	return def.roads[gridNumber%len(def.roads)]
}

// lane is the lane of a grid's self-built houses, e.g. 盛光三里.
func lane(def communityDef, gridNumber int) string {
	return def.short + chineseNumerals[gridNumber-1] + "里"
}
