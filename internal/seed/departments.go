package seed

import "github.com/jimei-linli/linli/ent/department"

// departmentRows are the departments and co-building units that serve the
// demo street and receive the requests its grids escalate.
var departmentRows = []departmentRow{
	{DepartmentUrbanManagement, "集美街道城市管理執法中隊", "市容環境、違章搭建、佔道經營、噪音擾民", department.KindGovernment},
	{"market-supervision", "集美市場監督管理所", "食品安全、價格、無照經營、消費投訴", department.KindGovernment},
	{"police", "集美派出所", "治安、矛盾糾紛、出租屋管理、交通秩序", department.KindGovernment},
	{"health", "集美街道社區衛生服務中心", "家庭醫生、巡診、疫苗接種、公共衛生", department.KindGovernment},
	{"housing", "集美區住房和建設局", "房屋安全、自建房排查、物業管理、老舊小區改造", department.KindGovernment},
	{"civil-affairs", "集美區民政局", "最低生活保障、養老服務、殘疾人補貼、社會救助", department.KindGovernment},
	{"power-supply", "集美供電服務中心", "停電搶修、用電安全、線路隱患", department.KindGovernment},
	{"water-supply", "集美自來水營業所", "停水、水管爆裂、水質、水錶", department.KindGovernment},
	{"jimei-university", "集美大學", "共建單位：志願者隊伍、場地開放、學生社區實踐", department.KindCoBuildingUnit},
	{"jimei-industrial-school", "集美工業學校", "共建單位：技能培訓、家電維修志願服務", department.KindCoBuildingUnit},
}

// departments adds the departments to the plan.
func (b *builder) departments() {
	b.p.departments = append(b.p.departments, departmentRows...)
}
