package seed

import (
	"fmt"
	"strings"

	"github.com/jimei-linli/linli/ent/place"
)

// The demo street itself.
const (
	streetName     = "集美街道"
	streetDistrict = "厦门市集美区"
)

// communityDef describes one community of the demo street: its grids, the
// roads that run through it and the compounds it has names for.
type communityDef struct {
	code, name string
	// short is the name without 社区, used for lanes (盛光三里).
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
		code: CommunityShengguang, name: "盛光社区", short: "盛光", grids: 9,
		roads:     []string{"盛光路", "银江路", "石鼓路", "嘉庚路"},
		compounds: []string{"盛光花园", "盛光新村", "银江花苑", "银江新城", "石鼓山庄", "学村雅苑", "集美嘉园", "盛世华庭"},
		lat:       24.5890, lng: 118.1040,
	},
	{
		code: "cenxi", name: "岑西社区", short: "岑西", grids: 8,
		roads:     []string{"岑西路", "岑东路", "集岑路"},
		compounds: []string{"岑西新村", "岑东花苑", "集岑雅居", "岑西佳园", "岑头小区", "翠岑山庄", "岑西华府", "绿岑苑"},
		lat:       24.5940, lng: 118.0975,
	},
	{
		code: "xunjiang", name: "浔江社区", short: "浔江", grids: 8,
		roads:     []string{"浔江路", "龙舟池路", "嘉庚路"},
		compounds: []string{"浔江苑", "浔江花园", "龙舟花园", "嘉庚新村", "海凤苑", "浔江雅居", "龙池嘉园", "江景华庭"},
		lat:       24.5770, lng: 118.1120,
	},
	{
		code: "aoyuan", name: "鳌园社区", short: "鳌园", grids: 7,
		roads:     []string{"鳌园路", "尚南路", "延平路"},
		compounds: []string{"鳌园小区", "尚南新村", "延平花园", "鳌园雅苑", "尚南佳园", "延平新村", "海滨华庭"},
		lat:       24.5760, lng: 118.1010,
	},
	{
		code: "dashe", name: "大社社区", short: "大社", grids: 7,
		roads:     []string{"大社路", "乐安路", "集源路"},
		compounds: []string{"大社花园", "乐安小区", "集源苑", "大社新村", "乐安雅居", "集源嘉园", "大社华庭"},
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
				name:      fmt.Sprintf("%s第%d网格", def.name, n),
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
	s := strings.Join(roads, "、") + "一带"
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
