-- One row per funded partner x cohort quarter: its matched comparison partners and its own
-- difference-in-differences. Matching: the var mdf_did_control_count nearest control partners of
-- the same cohort quarter, region and tier (held at the end of the last pre quarter), nearest by
-- average quarterly pre-window revenue, a partner of the same type preferred over a closer one of
-- another type; ties by partner id. Controls are drawn with replacement (one control can serve
-- several funded partners).
--   partner DiD = (post - pre revenue of the funded partner) - average (post - pre) of its controls
with

windows as (

    select * from {{ ref('int_mdf_did_partner_windows') }}

),

funded as (

    select * from windows where treatment_group = 'funded'

),

controls as (

    select * from windows where treatment_group = 'control'

),

candidates as (

    select
        funded.cohort_quarter_start_date,
        funded.partner_id,
        controls.partner_id as control_partner_id,
        controls.partner_type = funded.partner_type as is_same_type,
        controls.pre_revenue_amount,
        controls.post_revenue_amount,
        controls.revenue_change_amount,
        row_number() over (
            partition by funded.cohort_quarter_start_date, funded.partner_id
            order by
                case when controls.partner_type = funded.partner_type then 0 else 1 end,
                abs(controls.pre_revenue_amount - funded.pre_revenue_amount),
                controls.partner_id
        ) as match_rank

    from funded
    inner join controls
        on funded.cohort_quarter_start_date = controls.cohort_quarter_start_date
        and funded.region = controls.region
        and funded.partner_tier = controls.partner_tier

),

matched as (

    select
        cohort_quarter_start_date,
        partner_id,
        count(*) as control_count,
        sum(case when is_same_type then 1 else 0 end) as same_type_control_count,
        avg(pre_revenue_amount) as control_pre_revenue_amount,
        avg(post_revenue_amount) as control_post_revenue_amount,
        avg(revenue_change_amount) as control_revenue_change_amount

    from candidates
    where match_rank <= {{ var('mdf_did_control_count') }}
    group by cohort_quarter_start_date, partner_id

),

final as (

    select
        funded.cohort_quarter_start_date,
        funded.partner_id,
        funded.partner_tier,
        funded.partner_type,
        funded.region,
        coalesce(matched.control_count, 0) as control_count,
        coalesce(matched.same_type_control_count, 0) as same_type_control_count,
        funded.paid_amount,
        funded.pre_revenue_amount,
        funded.post_revenue_amount,
        funded.revenue_change_amount,
        matched.control_pre_revenue_amount,
        matched.control_post_revenue_amount,
        matched.control_revenue_change_amount,
        funded.revenue_change_amount - matched.control_revenue_change_amount as did_revenue_amount,
        matched.partner_id is not null as is_matched,
        funded.is_post_window_complete

    from funded
    left join matched
        on funded.cohort_quarter_start_date = matched.cohort_quarter_start_date
        and funded.partner_id = matched.partner_id

)

select * from final
